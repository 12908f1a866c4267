// Name secrets and trip codes (SPEC §12). A name secret is 128 random bits, shown once to the
// socket that got it; the server keeps only its SHA-256 (a random 128-bit value needs no slow
// hash: nothing can be guessed from it). The trip code is an HMAC of that hash under the
// server's key, so it is the same on every device and node, and cannot be forged without the key.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Store } from '../store/store.js';

/** A secret stays valid this long after the name's last use. */
export const NAME_SECRET_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** base64url of 16 bytes. */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{22}$/;
export const TRIP_LENGTH = 6;

export interface NameIdentity {
  /** SHA-256 of the secret, hex: stored with the name and on every message it writes. */
  hash: string;
  trip: string;
  /** The secret itself, only when it was just created (to be told to its socket once). */
  fresh?: string;
}

export class Identities {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    // Its own key, derived, so a trip code says nothing about the token signing key.
    this.key = createHmac('sha256', serverSecret).update('chitchat:trip').digest();
  }

  /** A new person: a fresh secret with its hash and trip. */
  create(): NameIdentity {
    const secret = randomBytes(16).toString('base64url');
    return { ...this.of(secret), fresh: secret };
  }

  /** The identity a presented secret stands for; 303 when it is not shaped like one. */
  of(secret: unknown, field = 'name_secret'): NameIdentity {
    if (typeof secret !== 'string' || !SECRET_FORMAT.test(secret)) throw new AppError(303, field);
    const hash = createHash('sha256').update(secret).digest('hex');
    return { hash, trip: this.trip(hash) };
  }

  trip(hash: string): string {
    return createHmac('sha256', this.key).update(hash).digest('base64url').slice(0, TRIP_LENGTH);
  }
}

/** Whether a secret last used at `lastUsed` (ISO) is still valid. */
export function secretAlive(lastUsed: string, now = Date.now()): boolean {
  return now - Date.parse(lastUsed) <= NAME_SECRET_TTL_MS;
}

/**
 * The person a presented name secret stands for in a room, for the name `key`, with the name as
 * they first spelled it: 303 when it is malformed, 304 when it is unknown there, another name's,
 * or expired.
 */
export async function presentedIdentity(
  store: Store,
  identities: Identities,
  roomId: number,
  key: string,
  secret: unknown,
): Promise<NameIdentity & { name: string }> {
  const identity = identities.of(secret);
  const known = await store.nameSecret(roomId, identity.hash);
  if (!known || known.nameKey !== key || !secretAlive(known.lastUsed)) throw new AppError(304, 'name_secret');
  return { ...identity, name: known.name };
}
