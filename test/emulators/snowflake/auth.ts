import { createHash, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

/**
 * Key-pair authentication as Snowflake documents it: the client signs a JWT (RS256) whose
 * `iss` is `ACCOUNT.USER.SHA256:<base64 sha256 of the public key's DER>` and whose `sub` is
 * `ACCOUNT.USER`, both upper case, and sends it as `data.TOKEN` with
 * `AUTHENTICATOR: SNOWFLAKE_JWT`.
 */
export function publicKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ format: 'der', type: 'spki' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** True if `token` is a valid, unexpired RS256 JWT for `account`/`user` signed by `publicKeyPem`. */
export function verifyJwt(token: string, publicKeyPem: string, account: string, user: string, now = Date.now()): boolean {
  try {
    const parts = token.split('.');
    if (parts.length !== 3) return false;
    const [header, payload, signature] = parts as [string, string, string];
    const head = decodeSegment(header) as { alg?: unknown };
    if (head.alg !== 'RS256') return false;
    const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKeyPem, Buffer.from(signature, 'base64url'));
    if (!signed) return false;
    const claims = decodeSegment(payload) as { iss?: unknown; sub?: unknown; exp?: unknown };
    const subject = `${account.toUpperCase()}.${user.toUpperCase()}`;
    if (claims.sub !== subject) return false;
    if (claims.iss !== `${subject}.${publicKeyFingerprint(publicKeyPem)}`) return false;
    if (typeof claims.exp !== 'number') return false;
    // snowflake-sdk 3.x writes iat/exp in milliseconds; the JWT standard says seconds.
    const expiresAt = claims.exp > 1e11 ? claims.exp : claims.exp * 1000;
    return expiresAt > now;
  } catch {
    return false;
  }
}

export function passwordMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
