import { isUuid } from '../domain/ids.js';
import { badRequest } from './http-errors.js';

/**
 * Reading what a client sent: query strings and path parameters, each checked, with a
 * message per field. Collect problems with a `FieldErrors`, then `throwIfAny()`.
 */
export class FieldErrors {
  private readonly errors: Record<string, string[]> = {};

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

/** A query parameter given once, as text; repeated ones are refused. */
export function single(query: Record<string, unknown>, name: string, errors: FieldErrors): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors.add(name, 'give it once');
    return undefined;
  }
  return value;
}

const quote = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);

export function uuidParam(query: Record<string, unknown>, name: string, errors: FieldErrors): string | undefined {
  const value = single(query, name, errors);
  if (value === undefined) return undefined;
  if (!isUuid(value)) {
    errors.add(name, `must be a UUID, got ${quote(value)}`);
    return undefined;
  }
  return value.toLowerCase();
}

export function oneOf<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[], errors: FieldErrors): T | undefined {
  const value = single(query, name, errors);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    errors.add(name, `must be one of ${allowed.join(', ')}, got ${quote(value)}`);
    return undefined;
  }
  return value as T;
}

export function booleanParam(query: Record<string, unknown>, name: string, errors: FieldErrors): boolean | undefined {
  const value = single(query, name, errors);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  errors.add(name, `must be true or false, got ${quote(value)}`);
  return undefined;
}

/** An ISO-8601 time with a zone (or a date, taken as UTC midnight), as ISO UTC text. */
export function timeParam(query: Record<string, unknown>, name: string, errors: FieldErrors): string | undefined {
  const value = single(query, name, errors);
  if (value === undefined) return undefined;
  const isDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const isTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const at = isDate || isTime ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    errors.add(name, `must be an ISO-8601 time with a zone, e.g. 2026-11-28T12:00:00Z, got ${quote(value)}`);
    return undefined;
  }
  return new Date(at).toISOString();
}

/** A path id: a malformed one is a bad request, not a missing thing. */
export function pathId(value: string, name: string): string {
  if (!isUuid(value)) throw badRequest({ [name]: [`must be a UUID, got ${quote(value)}`] });
  return value.toLowerCase();
}
