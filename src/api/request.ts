import type { z } from 'zod';
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

  /** A schema's issues, each on its field (an unknown field named as such). */
  addIssues(issues: readonly z.core.$ZodIssue[]): void {
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) this.add([...issue.path, key].join('.'), 'unknown field');
      else this.add(issue.path.length === 0 ? 'non_field_errors' : issue.path.join('.'), issue.message);
    }
  }

  /** The messages by field, as a 400's body. */
  get body(): Record<string, string[]> {
    return this.errors;
  }

  throwIfAny(): void {
    if (Object.keys(this.errors).length > 0) throw badRequest(this.errors);
  }
}

/** What a client sent, quoted for a message, cut short when long. */
export function shown(input: unknown): string {
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/** A path id: a malformed one is a bad request, not a missing thing. */
export function pathId(value: string, name: string): string {
  if (!isUuid(value)) throw badRequest({ [name]: [`must be a UUID, got ${shown(value)}`] });
  return value.toLowerCase();
}
