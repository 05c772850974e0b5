import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VigilError, type ErrorCode } from '../domain/errors.js';
import { loadConfig } from './load.js';
import type { Environment } from './interpolate.js';
import type { VigilConfig } from './types.js';

type Reply = { ok: true; config: VigilConfig } | { ok: false; code?: ErrorCode; message: string };

/** The thread's body: loads the compiled config loader and sends back the config or the error. */
const source = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ loadConfig }) => {
  try {
    parentPort.postMessage({ ok: true, config: loadConfig(workerData.file, workerData.env) });
  } catch (error) {
    parentPort.postMessage({ ok: false, code: error && error.code, message: String(error && error.message || error) });
  }
});`;

/**
 * loadConfig on a thread of its own, for the long-running daemon. Parsing YAML leaves a lot
 * of garbage behind (about 110 MB for a 1.3 MB file of 10,000 monitors) that would otherwise
 * grow the daemon's heap for good: a thread's heap goes away with the thread, and only the
 * config crosses over. Run from TypeScript sources (tests) there is no compiled loader for a
 * thread to import, so it loads in place.
 */
export async function loadConfigOffThread(file: string, env: Environment = process.env): Promise<VigilConfig> {
  const module = new URL('./load.js', import.meta.url);
  if (!existsSync(fileURLToPath(module))) return loadConfig(file, env);
  const reply = await new Promise<Reply>((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { module: module.href, file, env: { ...env } } });
    worker.once('message', (message: Reply) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the config thread exited (code ${code}) without an answer`)));
  });
  if (reply.ok) return reply.config;
  if (reply.code !== undefined) throw new VigilError(reply.code, reply.message);
  throw new Error(reply.message);
}
