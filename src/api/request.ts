import { isUuid } from '../domain/ids.js';
import { badRequest } from './http-errors.js';

/**
 * Checking what a client sent, with a message per field: collect problems with a
 * `FieldErrors`, then `throwIfAny()`. Query strings and bodies have schemas (schemas.ts).
 */
export class FieldErrors {
  // No prototype: a field named "constructor" or "__proto__" is a field like any other.
  private readonly errors: Record<string, string[]> = Object.create(null) as Record<string, string[]>;

  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  merge(errors: Record<string, string[]>): void {
    for (const [field, messages] of Object.entries(errors)) for (const m of messages) this.add(field, m);
  }

  throwIfAny(): void {
    if (Object.keys(this.errors).length > 0) throw badRequest(this.errors);
  }
}

const quote = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);

/** A path id: a malformed one is a bad request, not a missing thing. */
export function pathId(value: string, name: string): string {
  if (!isUuid(value)) throw badRequest({ [name]: [`must be a UUID, got ${quote(value)}`] });
  return value.toLowerCase();
}
