// When to renew a token. The lifetime is read from the JWT itself (exp − iat), so a client whose
// clock is off from the server's still renews in time: only durations are used, never dates.
import type { TokenGrant } from '../protocol/wire.js';

/** Renew at most this long before expiry, and at least a third of the lifetime before. */
const MAX_MARGIN_MS = 5 * 60_000;

export interface HeldToken {
  token: string;
  grant: TokenGrant | undefined;
  /** Local clock (ms) at which the token expires; undefined when unknown. */
  expiresAt: number | undefined;
  /** Local clock (ms) at which to renew it. */
  renewAt: number | undefined;
}

export function holdToken(given: TokenGrant | string, now = Date.now()): HeldToken {
  const token = typeof given === 'string' ? given : given.token;
  const grant = typeof given === 'string' ? undefined : given;
  const claims = jwtClaims(token);
  let lifetime: number | undefined;
  let remaining: number | undefined;
  if (claims?.exp !== undefined && claims.iat !== undefined) {
    lifetime = (claims.exp - claims.iat) * 1000;
    // Just issued, as far as this client can tell; iat is whole seconds, so up to one is gone.
    remaining = Math.max(0, lifetime - 1000);
    if (grant === undefined && claims.exp * 1000 < now + lifetime) remaining = Math.max(0, claims.exp * 1000 - now);
  } else if (grant) {
    remaining = Date.parse(grant.expires_at) - now;
    lifetime = remaining;
  }
  if (lifetime === undefined || remaining === undefined || !Number.isFinite(remaining)) {
    return { token, grant, expiresAt: undefined, renewAt: undefined };
  }
  const margin = Math.min(MAX_MARGIN_MS, lifetime / 3);
  return { token, grant, expiresAt: now + remaining, renewAt: now + Math.max(0, remaining - margin) };
}

function jwtClaims(token: string): { exp?: number; iat?: number } | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { exp?: unknown; iat?: unknown };
    return {
      ...(typeof json.exp === 'number' && { exp: json.exp }),
      ...(typeof json.iat === 'number' && { iat: json.iat }),
    };
  } catch {
    return undefined;
  }
}
