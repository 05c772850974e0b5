import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Google's service-account auth, as far as the emulator needs it.
 *
 * Two ways a client proves it holds a service account's private key:
 * - OAuth2 JWT bearer grant: POST token_uri with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
 *   and an RS256 assertion {iss, scope, aud, iat, exp}; the answer is an access token.
 * - A self-signed JWT sent straight as `Authorization: Bearer <jwt>` ({iss, sub, aud|scope, iat, exp}),
 *   which Google APIs accept without a token exchange. google-auth-library 10 does this for a key
 *   file whose universe_domain is not googleapis.com (and never reads token_uri: its token URL is
 *   hard-coded to https://oauth2.googleapis.com/token), so key files written here name another
 *   universe to keep the client off the internet.
 */

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** A universe that is not googleapis.com: google-auth-library then signs its own JWTs. */
export const EMULATOR_UNIVERSE = 'bigquery-emulator.invalid';
const CLOCK_SKEW_S = 300;

export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string;
  scope?: string;
  iat?: number;
  exp?: number;
}

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** The claims of an RS256 JWT signed by one of `keys` (by iss), or undefined. */
export function verifyJwt(jwt: string, keys: Map<string, KeyObject>, nowS = Date.now() / 1000): JwtClaims | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts as [string, string, string];
  try {
    const header = decodePart(head) as { alg?: string };
    const claims = decodePart(body) as JwtClaims;
    if (header.alg !== 'RS256' || typeof claims.iss !== 'string') return undefined;
    const key = keys.get(claims.iss);
    if (key === undefined) return undefined;
    if (!verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp < nowS - CLOCK_SKEW_S) return undefined;
    if (typeof claims.iat === 'number' && claims.iat > nowS + CLOCK_SKEW_S) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

export interface TokenAnswer {
  status: number;
  body: unknown;
}

/** The service accounts' keys, the access tokens issued, and the checks on both. */
export class Credentials {
  private readonly keys = new Map<string, KeyObject>();
  private readonly tokens = new Map<string, { email: string; expiresAt: number }>();
  private written = 0;

  constructor(
    serviceAccounts: Record<string, string>,
    private readonly tokenUri: () => string,
  ) {
    for (const [email, pem] of Object.entries(serviceAccounts)) this.keys.set(email, createPublicKey(pem));
  }

  /** POST token_uri: the JWT bearer grant, answered as oauth2.googleapis.com answers it. */
  grant(form: URLSearchParams): TokenAnswer {
    const grantType = form.get('grant_type');
    if (grantType !== JWT_BEARER) {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grantType ?? ''}` } };
    }
    const claims = verifyJwt(form.get('assertion') ?? '', this.keys);
    if (claims === undefined || claims.iss === undefined) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
    // The Node library signs aud = Google's URL whatever token_uri says; others sign token_uri.
    if (claims.aud !== GOOGLE_TOKEN_URL && claims.aud !== this.tokenUri()) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT: Failed audience check.' } };
    }
    if (typeof claims.scope !== 'string' || claims.scope === '') {
      return { status: 400, body: { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' } };
    }
    const token = `ya29.emulator-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { email: claims.iss, expiresAt: Date.now() + 3600_000 });
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  /** The service account behind a bearer credential (issued token or self-signed JWT), or undefined. */
  identify(bearer: string): string | undefined {
    const issued = this.tokens.get(bearer);
    if (issued !== undefined) return issued.expiresAt > Date.now() ? issued.email : undefined;
    const claims = verifyJwt(bearer, this.keys);
    // A self-signed JWT names its API by aud or its access by scope, and is its own subject.
    if (claims === undefined || (claims.sub !== undefined && claims.sub !== claims.iss)) return undefined;
    if (claims.aud === undefined && claims.scope === undefined) return undefined;
    return claims.iss;
  }

  /** A service-account key file as Google issues them, pointing at this emulator. */
  writeKeyFile(dir: string, projectId: string, clientEmail: string, privateKeyPem: string): string {
    const digest = createHash('sha256').update(privateKeyPem).digest();
    const key = {
      type: 'service_account',
      project_id: projectId,
      private_key_id: digest.subarray(0, 20).toString('hex'),
      private_key: privateKeyPem,
      client_email: clientEmail,
      client_id: BigInt(`0x${digest.subarray(20, 28).toString('hex')}`).toString(),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUri(),
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
      universe_domain: EMULATOR_UNIVERSE,
    };
    const path = join(dir, `bigquery-key-${++this.written}-${clientEmail.replace(/[^A-Za-z0-9]/g, '_')}.json`);
    writeFileSync(path, JSON.stringify(key, null, 2), { mode: 0o600 });
    return path;
  }
}
