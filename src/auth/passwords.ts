// Room passwords and owner keys, hashed with Argon2id at OWASP's minimum parameters
// (19 MiB, 2 passes, 1 lane). @node-rs/argon2 hashes on libuv's thread pool, off the event loop.
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ARGON2ID = 2; // Algorithm.Argon2id; the enum is a const enum, which isolated modules cannot import.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, OPTIONS);
}

export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}

/** A new owner key: 32 random bytes, base64url. */
export function newOwnerKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison for the operator's admin key. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
