// Name secrets and trip codes (SPEC §12): the secret's shape, the trip as a keyed function of the
// secret (the same everywhere under one server key, different under another), expiry after 30 days.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Identities, NAME_SECRET_TTL_MS, secretAlive } from '../../src/auth/identity.ts';
import { AppError } from '../../src/domain/errors.ts';

const KEY = 'k'.repeat(48);

test('a new identity: a 128-bit base64url secret, its hash and trip; presenting the secret gives both back', () => {
  const ids = new Identities(KEY);
  const a = ids.create();
  assert.match(a.fresh!, /^[\w-]{22}$/);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
  assert.match(a.trip, /^[\w-]{6}$/);
  assert.deepEqual(ids.of(a.fresh), { hash: a.hash, trip: a.trip });
  // Another node with the same server key computes the same trip; another key, another trip.
  assert.equal(new Identities(KEY).of(a.fresh).trip, a.trip);
  assert.notEqual(new Identities('x'.repeat(48)).of(a.fresh).trip, a.trip);
  const trips = new Set(Array.from({ length: 200 }, () => ids.create().trip));
  assert.ok(trips.size > 195, 'trips of different people differ');
});

test('a presented secret that is not one is refused with 303 naming the field', () => {
  const ids = new Identities(KEY);
  for (const bad of [undefined, null, 42, '', 'short', 'A'.repeat(21), 'A'.repeat(23), '+'.repeat(22), 'A'.repeat(21) + '=']) {
    assert.throws(() => ids.of(bad), (e: unknown) => e instanceof AppError && e.code === 303 && e.field === 'name_secret', String(bad));
  }
});

test('a secret stays valid 30 days after its last use', () => {
  const now = Date.parse('2026-06-01T00:00:00.000Z');
  assert.ok(secretAlive(new Date(now - NAME_SECRET_TTL_MS).toISOString(), now));
  assert.ok(!secretAlive(new Date(now - NAME_SECRET_TTL_MS - 1000).toISOString(), now));
  assert.equal(NAME_SECRET_TTL_MS, 30 * 24 * 3600 * 1000);
});
