import { expect } from 'vitest';
import type { Connector } from '../../src/domain/connector.js';
import { VigilError } from '../../src/domain/errors.js';

/** The VigilError a connector fails with, whether opening it or running `sql` on it. */
export async function connectorFailure(open: () => Promise<Connector>, sql = 'SELECT 1'): Promise<VigilError> {
  try {
    const connector = await open();
    try {
      await connector.query(sql);
    } finally {
      await connector.close();
    }
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return error as VigilError;
  }
  throw new Error(`expected ${sql} to fail`);
}
