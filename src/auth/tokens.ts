// Room tokens: HS256 JWTs bound to one room (aud), one name (sub), one role and the room's
// password generation. The algorithm is pinned on verify, so `alg: none` and RS/HS confusion fail.
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../domain/errors.js';

export type Role = 'member' | 'owner' | 'bot';

export interface TokenClaims {
  roomId: number;
  name: string;
  role: Role;
  /** The room's token generation when issued. */
  gen: number;
  expiresAt: Date;
  /** A bot token's id (role `bot`): the store must still hold a bot with it, else it is revoked. */
  botId?: string;
}

export const TOKEN_TTL_SECONDS = 60 * 60;
/** Bots run unattended: their tokens last a year and end by revocation (DELETE …/bots/:name). */
export const BOT_TOKEN_TTL_SECONDS = 365 * 24 * 60 * 60;
const ISSUER = 'chitchat';

export const audienceFor = (roomId: number) => `chitchat:room:${roomId}`;

export class Tokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    /** Lifetime of a token; the contract's 60 minutes unless configured for tests. */
    private readonly ttlSeconds = TOKEN_TTL_SECONDS,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(roomId: number, name: string, role: Role, gen: number, botId?: string): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (role === 'bot' ? BOT_TOKEN_TTL_SECONDS : this.ttlSeconds);
    // username and room_id are the Go original's claims, kept for its clients.
    const token = await new SignJWT({ username: name, room_id: roomId, role, gen, ...(botId !== undefined && { bid: botId }) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(audienceFor(roomId))
      .setSubject(name)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies signature, algorithm, issuer, audience and expiry. The caller checks the
   * generation against the room's current one (it needs the store).
   */
  async verify(token: string, roomId: number): Promise<TokenClaims> {
    try {
      // Checked first so that `alg: none` and other algorithms get their own code (402).
      if (decodeProtectedHeader(token).alg !== 'HS256') throw new AppError(402, 'token');
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: audienceFor(roomId),
        requiredClaims: ['exp', 'sub'],
      });
      const { sub, role, gen, exp, bid } = payload;
      if (typeof sub !== 'string' || (role !== 'member' && role !== 'owner' && role !== 'bot') || typeof gen !== 'number') {
        throw new AppError(403, 'token');
      }
      if (role === 'bot' && typeof bid !== 'string') throw new AppError(403, 'token');
      return { roomId, name: sub, role, gen, expiresAt: new Date((exp ?? 0) * 1000), ...(role === 'bot' && { botId: bid as string }) };
    } catch (err) {
      throw tokenError(err);
    }
  }
}

function tokenError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AppError(401, 'token');
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return new AppError(402, 'token');
  // Malformed, expired, wrong audience or issuer, missing claims.
  return new AppError(403, 'token');
}

/** Reads `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Picks the token out of a Sec-WebSocket-Protocol list: the value shaped like a JWT. */
export function protocolToken(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(p)) return p;
  return undefined;
}
