/**
 * Who calls the REST API: an API key with a role. Viewers may only read; what editors and
 * admins may do is decided where the API checks it.
 */
export const API_ROLES = ['admin', 'editor', 'viewer'] as const;

export type ApiRole = (typeof API_ROLES)[number];

export function isApiRole(value: unknown): value is ApiRole {
  return typeof value === 'string' && (API_ROLES as readonly string[]).includes(value);
}

/** The key a request presented, once verified. */
export interface ApiPrincipal {
  keyId: string;
  name: string;
  role: ApiRole;
}
