#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { isVigilError, messageOf } from '../domain/errors.js';
import { EXIT_ERROR } from './exit-codes.js';
import { createLogger, LOG_LEVELS } from './logger.js';
import { migrateCommand } from './migrate.js';
import { runNowCommand } from './run-now.js';
import { startCommand } from './start.js';
import { incidentActionCommand, listIncidentsCommand, markNormalCommand } from './incidents.js';
import { validateCommand } from './validate.js';
import { backtestCommand } from './backtest.js';
import { createApiKeyCommand, listApiKeysCommand, revokeApiKeyCommand } from './api-key.js';
import { API_ROLES } from '../domain/api-key.js';
import { testConnectionCommand } from './test-connection.js';

const DEFAULT_CONFIG = 'vigil.yaml';

const configOption = () =>
  new Option('-c, --config <file>', 'the configuration file').default(DEFAULT_CONFIG);
const logLevelOption = (level: string) =>
  new Option('--log-level <level>', 'JSON logs on stderr at this level').choices(LOG_LEVELS).default(level);

/** Every command reports its own result; errors end here, as one readable message and exit 2. */
async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('vigil')
    .description('Vigil watches your data warehouses: monitors, learned thresholds, incidents.')
    .exitOverride()
    .showHelpAfterError('(run vigil --help for usage)');

  program
    .command('run-now')
    .description('run every enabled monitor once and exit: 0 all in range, 1 a monitor out of range, 2 errors')
    .addOption(configOption())
    .option('-m, --monitor <name-or-id...>', 'run only these monitors (by name or id); repeatable', [])
    .addOption(new Option('-f, --format <format>', 'output for people or machines').choices(['table', 'json']).default('table'))
    .addOption(logLevelOption('error'))
    .action(async (options) => {
      code = await runNowCommand(options, createLogger(options.logLevel));
    });

  program
    .command('start')
    .description('run the daemon: monitors on their schedules, incidents, notifications, /healthz /readyz /metrics; SIGTERM or SIGINT stops it')
    .addOption(configOption())
    .addOption(logLevelOption('info'))
    .action(async (options) => {
      code = await startCommand(options, createLogger(options.logLevel));
    });

  program
    .command('incidents')
    .description('list open incidents (all of them with --all)')
    .addOption(configOption())
    .option('--all', 'resolved ones too')
    .action(async (options) => {
      code = await listIncidentsCommand(options);
    });

  for (const action of ['acknowledge', 'resolve'] as const) {
    program
      .command(`${action} <incident-id>`)
      .description(action === 'acknowledge' ? 'acknowledge an incident: someone is on it' : 'resolve an incident by hand (notifies its resolution)')
      .addOption(configOption())
      .option('--user <name>', 'who did it, recorded in the incident (default $USER)')
      .action(async (id: string, options) => {
        code = await incidentActionCommand(action, id, options);
      });
  }

  program
    .command('mark-normal <measurement-id>')
    .description('say a measurement was fine: the detector trains on it, and its incident resolves if nothing else keeps it open')
    .addOption(configOption())
    .option('--user <name>', 'who did it, recorded in the incident (default $USER)')
    .action(async (id: string, options) => {
      code = await markNormalCommand(id, options);
    });

  program
    .command('validate')
    .description('check the configuration file and exit: 0 valid, 2 invalid (with file:line:col for each problem)')
    .addOption(configOption())
    .action((options) => {
      code = validateCommand(options);
    });

  program
    .command('test-connection <warehouse>')
    .description("check that a warehouse is reachable, its credentials hold and every table its monitors read can be queried; says which failed (exit 0 all good, 2 otherwise)")
    .addOption(configOption())
    .action(async (warehouse: string, options) => {
      code = await testConnectionCommand(warehouse, options);
    });

  program
    .command('migrate')
    .description("bring the store's schema up to date (every command also does it at start)")
    .addOption(configOption())
    .action(async (options) => {
      code = await migrateCommand(options);
    });

  program
    .command('backtest')
    .description('replay a timestamp,value CSV through the detector as it would have run live; prints a verdict per row')
    .requiredOption('-i, --input <file>', 'CSV with the header timestamp,value (an empty value is a missing bucket)')
    .requiredOption('--metric <type>', 'the metric_type the values measure (it sets the rules: percentages, counts, freshness)')
    .option('-s, --sensitivity <n>', '1-10, higher is a narrower band (default 5)')
    .option('--min <x>', 'a manual band instead of a learned one: its lower limit')
    .option('--max <y>', 'a manual band instead of a learned one: its upper limit')
    .addOption(new Option('--bounds <side>', 'which side alerts').choices(['both', 'upper', 'lower']))
    .addOption(new Option('-f, --format <format>', 'output').choices(['json', 'csv', 'table']).default('json'))
    .option('--sweep', 'print how many alerts each sensitivity 1-10 would have raised, instead of the rows')
    .action((options) => {
      code = backtestCommand(options);
    });

  const apiKey = program.command('api-key').description('keys for the REST API (Authorization: Bearer <key>): create, list, revoke');

  apiKey
    .command('create')
    .description('make a key and print it, once: the store keeps only its hash')
    .requiredOption('--name <name>', 'what the key is for; unique among keys not revoked')
    .addOption(new Option('--role <role>', 'what the key may do (viewers may only read)').choices(API_ROLES).makeOptionMandatory())
    .addOption(configOption())
    .action(async (options) => {
      code = await createApiKeyCommand(options);
    });

  apiKey
    .command('list')
    .description('every key, revoked ones too (never the key or its hash)')
    .addOption(new Option('-f, --format <format>', 'output for people or machines').choices(['table', 'json']).default('table'))
    .addOption(configOption())
    .action(async (options) => {
      code = await listApiKeysCommand(options);
    });

  apiKey
    .command('revoke <id-or-name>')
    .description('revoke a key: requests with it are refused from now on')
    .addOption(configOption())
    .action(async (idOrName: string, options) => {
      code = await revokeApiKeyCommand(idOrName, options);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    if (isVigilError(error)) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`vigil: unexpected failure: ${messageOf(error)}\n${(error as Error)?.stack ?? ''}\n`);
    }
    return EXIT_ERROR;
  }
}

process.exitCode = await main(process.argv);
