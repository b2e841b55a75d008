import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@infer/contracts';
import type { Request, RequestHandler } from 'express';
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';

/** Who made a request; `id` is stored as the `owner` of the jobs it submits. */
export interface Principal {
  id: string;
  kind: 'api_key' | 'jwt';
  /** `admin`: may change model routing and ask workers to reload (absent: none). */
  scopes?: readonly Scope[];
}

/** The scopes a principal may hold; every authenticated principal may submit and read its own jobs. */
export type Scope = 'admin';
export const ADMIN_SCOPE: Scope = 'admin';

export interface AuthSettings {
  /** `sha256hex` or `name:sha256hex` entries (API_KEYS). */
  apiKeys: readonly string[];
  jwtSecret?: string | undefined;
  jwtJwksUrl?: string | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  /** Principals (`key:<name>`, `jwt:<sub>`) holding the admin scope (ADMIN_PRINCIPALS). */
  adminPrincipals?: readonly string[] | undefined;
}

interface ApiKey {
  id: string;
  digest: Buffer;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const REALM = 'Bearer realm="infer"';

/**
 * Bearer authentication with API keys (only their SHA-256 digests are
 * configured, so a leaked config does not leak keys) and/or JWTs (HS256 shared
 * secret, or the identity provider's JWKS).
 */
export class Authenticator {
  private readonly keys: ApiKey[];
  private readonly jwtKey: Uint8Array | JWTVerifyGetKey | undefined;

  private readonly settings: AuthSettings;

  private constructor(settings: AuthSettings) {
    this.settings = settings;
    this.keys = settings.apiKeys.map((entry) => {
      const colon = entry.lastIndexOf(':');
      const hex = entry.slice(colon + 1).toLowerCase();
      const name = colon > 0 ? entry.slice(0, colon) : undefined;
      // Unnamed keys are told apart by a prefix of their digest (never the key itself).
      return { id: `key:${name ?? hex.slice(0, 12)}`, digest: Buffer.from(hex, 'hex') };
    });
    if (settings.jwtSecret) this.jwtKey = new TextEncoder().encode(settings.jwtSecret);
    else if (settings.jwtJwksUrl) this.jwtKey = createRemoteJWKSet(new URL(settings.jwtJwksUrl));
  }

  /** undefined when nothing is configured: auth off (local use). Throws on contradictory settings. */
  static fromSettings(settings: AuthSettings): Authenticator | undefined {
    if (settings.jwtSecret && settings.jwtJwksUrl) throw new Error('set JWT_SECRET or JWT_JWKS_URL, not both');
    if (settings.jwtJwksUrl && !settings.jwtIssuer) throw new Error('JWT_JWKS_URL requires JWT_ISSUER');
    if (settings.apiKeys.length === 0 && !settings.jwtSecret && !settings.jwtJwksUrl) return undefined;
    return new Authenticator(settings);
  }

  /** The principal behind `token`, or an AppError (401 unauthorized, or 503 when the JWKS cannot be fetched). */
  async authenticate(token: string): Promise<Principal> {
    if (this.jwtKey && JWT_SHAPE.test(token)) return this.verifyJwt(token, this.jwtKey);
    const key = this.matchKey(token);
    if (key) return this.withScopes({ id: key.id, kind: 'api_key' }, []);
    throw unauthorized('invalid_token', 'the bearer token is not a valid API key or token');
  }

  /** The admin scope comes from ADMIN_PRINCIPALS, or for a JWT from its `scope` / `scp` claim. */
  private withScopes(principal: Principal, claimed: readonly string[]): Principal {
    const admin = claimed.includes(ADMIN_SCOPE) || (this.settings.adminPrincipals ?? []).includes(principal.id);
    return admin ? { ...principal, scopes: [ADMIN_SCOPE] } : principal;
  }

  /** Compare against every key in constant time, without stopping at the first match. */
  private matchKey(token: string): ApiKey | undefined {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: ApiKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(digest, key.digest) && !found) found = key;
    }
    return found;
  }

  private async verifyJwt(token: string, key: Uint8Array | JWTVerifyGetKey): Promise<Principal> {
    const options = {
      ...(this.settings.jwtIssuer ? { issuer: this.settings.jwtIssuer } : {}),
      ...(this.settings.jwtAudience ? { audience: this.settings.jwtAudience } : {}),
      // Pin the algorithm family: never let a token pick HS256 against a public key or 'none'.
      algorithms: key instanceof Uint8Array ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      // A token without exp would never expire.
      requiredClaims: ['exp'],
      clockTolerance: 5,
    };
    try {
      const { payload } = await (key instanceof Uint8Array
        ? jwtVerify(token, key, options)
        : jwtVerify(token, key, options));
      if (!payload.sub) throw unauthorized('invalid_token', 'the token has no "sub" claim');
      return this.withScopes({ id: `jwt:${payload.sub}`, kind: 'jwt' }, claimedScopes(payload));
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('invalid_token', 'the token has expired');
      if (!(error instanceof joseErrors.JOSEError) || isKeySetFailure(error)) {
        // The identity provider is unreachable or serves no usable key set: our problem, not a bad token.
        throw new AppError('service_unavailable', 'cannot fetch the token signing keys; retry shortly', {
          cause: error,
          headers: { 'Retry-After': '5' },
        });
      }
      throw unauthorized('invalid_token', rejectedTokenSentence(error), error);
    }
  }
}

/**
 * Why jose refused a token, in a sentence of ours: jose's own text ('"aud" claim check failed',
 * 'JWS Protected Header is invalid') names its internals and may change with a release; it stays
 * the cause, which the request's log line prints.
 */
function rejectedTokenSentence(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.reason === 'missing'
      ? `the token has no "${error.claim}" claim`
      : `the token's "${error.claim}" claim is not accepted`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "the token's signing key is not in the key set";
  return 'the token is not a valid JWT';
}

/** OAuth 2.0's space-separated `scope` claim (RFC 8693), or `scp` as a list or a string. */
function claimedScopes(payload: Record<string, unknown>): string[] {
  const words = (value: unknown): string[] =>
    typeof value === 'string' ? value.split(' ').filter(Boolean) : Array.isArray(value) ? value.map(String) : [];
  return [...words(payload.scope), ...words(payload.scp)];
}

/** A JWKS that cannot be fetched (timeout, non-200: jose's bare JOSEError) or parsed; not the token's fault. */
function isKeySetFailure(error: InstanceType<typeof joseErrors.JOSEError>): boolean {
  return (
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    error.constructor === joseErrors.JOSEError
  );
}

function unauthorized(
  error: 'invalid_request' | 'invalid_token' | undefined,
  message: string,
  cause?: unknown,
): AppError {
  // RFC 6750 section 3: a request without credentials gets the bare challenge.
  const challenge = error ? `${REALM}, error="${error}", error_description="${message.replace(/"/g, "'")}"` : REALM;
  return new AppError('unauthorized', message, { cause, headers: { 'WWW-Authenticate': challenge } });
}

const principals = new WeakMap<Request, Principal>();

/** The authenticated principal of a request (undefined while auth is off). */
export function principalOf(req: Request): Principal | undefined {
  return principals.get(req);
}

/** The owner to record on a job and to require when reading one; undefined (everyone's) while auth is off. */
export function ownerOf(req: Request): string | undefined {
  return principals.get(req)?.id;
}

/**
 * Require a scope of the authenticated principal (after requireAuth): 403 forbidden without
 * it. Auth off means open, as every other route is then.
 */
export function requireScope(auth: Authenticator | undefined, scope: Scope): RequestHandler {
  return (req, _res, next) => {
    const principal = principals.get(req);
    if (auth && !principal?.scopes?.includes(scope)) {
      throw new AppError(
        'forbidden',
        `this needs the "${scope}" scope, which ${principal?.id ?? 'this client'} lacks`,
        {
          details: { scope },
        },
      );
    }
    next();
  };
}

/** Require `Authorization: Bearer <token>`; a no-op without an authenticator. */
export function requireAuth(auth: Authenticator | undefined): RequestHandler {
  return async (req, _res, next) => {
    if (!auth) {
      next();
      return;
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header) : null;
    if (!header) throw unauthorized(undefined, 'send "Authorization: Bearer <key or token>"');
    if (!match?.[1]) throw unauthorized('invalid_request', 'the Authorization header must be "Bearer <key or token>"');
    principals.set(req, await auth.authenticate(match[1]));
    next();
  };
}
