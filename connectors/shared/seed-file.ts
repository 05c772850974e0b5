import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VigilError, messageOf } from '../../src/domain/errors.js';

/**
 * Creates a file database from seed SQL when the file does not exist yet. The database is
 * built under a temporary name and renamed into place, so a crash half-way through never
 * leaves a half-seeded database behind that would not be seeded again.
 */
export async function seedOnce(
  path: string,
  seedPath: string | undefined,
  where: string,
  build: (path: string, sql: string) => Promise<void>,
  sidecars: readonly string[] = [],
): Promise<void> {
  if (seedPath === undefined || existsSync(path)) return;
  let sql: string;
  try {
    sql = await readFile(seedPath, 'utf8');
  } catch (error) {
    throw new VigilError('warehouse', `${where}: cannot read seed file ${seedPath}: ${messageOf(error)}`, {
      kind: 'sql',
      cause: error,
    });
  }
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.seeding-${process.pid}-${Date.now()}`;
  const cleanUp = () => Promise.all([temporary, ...sidecars.map((s) => temporary + s)].map((p) => rm(p, { force: true })));
  try {
    await build(temporary, sql);
    if (!existsSync(path)) await rename(temporary, path);
  } catch (error) {
    throw new VigilError('warehouse', `${where}: seed file ${seedPath} failed: ${messageOf(error)}`, {
      kind: 'sql',
      cause: error,
    });
  } finally {
    await cleanUp();
  }
}

export function missingFile(where: string, path: string): VigilError {
  return new VigilError('warehouse', `${where}: database file ${path} does not exist`, { kind: 'network' });
}
