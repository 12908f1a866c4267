// Tokens end on sockets too (SPEC §12), with a 4-second token lifetime: a socket is closed with
// 1008 when its token expires, unless a `token` event with a fresh token for the same room, name
// and role extended it; a wrong `token` event is refused and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, bearer, connect, createRoom, type ChatClient } from '../helpers/chat.ts';
import { isType, joinWith, request } from '../helpers/identity.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);
let counter = 0;
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

before(async () => {
  server = await startServer({ env: { CHITCHAT_TOKEN_TTL_SECONDS: '4' } });
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

async function privateRoom() {
  return createRoom(server.url, { title: `Tokens ${++counter}`, visibility: 'private', password: 'password1' });
}
async function grant(roomId: number, body: Record<string, unknown>) {
  const r = await api(server.url, 'POST', `/chats/${roomId}/token`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { token: string; expires_at: string };
}

describe('token expiry on sockets', () => {
  test('a socket, joined or not, is closed with 1008 when its token expires', async () => {
    const room = await privateRoom();
    const t = await grant(room.id, { secret: 'password1', name: 'ann' });
    const joined = track((await joinWith(server.wsUrl, room.id, 'ann', undefined, { token: t.token })).client);
    const reader = track(await connect(server.wsUrl, room.id, { token: t.token }));
    for (const c of [joined, reader]) {
      const closed = await c.closed(10_000);
      assert.deepEqual(closed, { code: 1008, reason: 'token expired' });
      assert.ok(Date.now() >= Date.parse(t.expires_at), 'not before the token expired');
    }
  });

  test('a `token` event with a fresh token keeps the socket open past the old expiry', async () => {
    const room = await privateRoom();
    const first = await grant(room.id, { secret: 'password1', name: 'ann' });
    const c = track((await joinWith(server.wsUrl, room.id, 'ann', undefined, { token: first.token })).client);
    // The store's first write starts its writer thread, which may take a while on a busy machine.
    assert.equal((await request(c, { event_type: 'send', msg: 'warm-up' }, isType('ack'))).event_type, 'ack');
    // Renewed a second later, so the fresh token ends at least a second after the first.
    await new Promise((r) => setTimeout(r, 1100));
    const renewed = await api(server.url, 'POST', `/chats/${room.id}/token/renew`, undefined, bearer(first.token));
    assert.equal(renewed.status, 201);
    assert.ok(Date.parse(renewed.body.expires_at) > Date.parse(first.expires_at));
    const answer = await request(c, { event_type: 'token', token: renewed.body.token }, isType('token'));
    assert.deepEqual([answer.event_type, answer.expires_at], ['token', renewed.body.expires_at]);

    await sleepUntil(Date.parse(first.expires_at) + 300);
    assert.equal(c.ws.readyState, c.ws.OPEN, 'still open after the first token expired');
    const sent = await request(c, { event_type: 'send', msg: 'still here' }, isType('ack'));
    assert.equal(sent.event_type, 'ack');
    assert.deepEqual(await c.closed(10_000), { code: 1008, reason: 'token expired' });
    assert.ok(Date.now() >= Date.parse(renewed.body.expires_at));
  });

  test('a `token` event for another room, name or role, expired, malformed, or on a tokenless socket: 403, nothing changed', async () => {
    const room = await privateRoom();
    const other = await privateRoom();
    const mine = await grant(room.id, { secret: 'password1', name: 'ann' });
    const c = track((await joinWith(server.wsUrl, room.id, 'ann', undefined, { token: mine.token })).client);
    const wrong: [string, string][] = [
      ['another room', (await grant(other.id, { secret: 'password1', name: 'ann' })).token],
      ['another name', (await grant(room.id, { secret: 'password1', name: 'bob' })).token],
      ['another role', (await grant(room.id, { owner_key: room.owner_key, name: 'ann' })).token],
      ['malformed', 'not.a.token'],
    ];
    for (const [what, token] of wrong) {
      const answer = await request(c, { event_type: 'token', token }, isType('token'));
      assert.equal(answer.event_type, 'error', what);
      assert.deepEqual([(answer.error as { code: number }).code, (answer.error as { field: string }).field], [403, 'token'], what);
    }
    const missing = await request(c, { event_type: 'token' }, isType('token'));
    assert.deepEqual(missing.error, { code: 303, error: 'Invalid JSON', field: 'token' });
    // None of them extended it: it closes when its own token expires, not after the others.
    assert.deepEqual(await c.closed(10_000), { code: 1008, reason: 'token expired' });
    assert.ok(Date.now() < Date.parse(mine.expires_at) + 1500);
    // An expired token is refused too.
    const later = await grant(room.id, { secret: 'password1', name: 'ann' });
    const d = track((await joinWith(server.wsUrl, room.id, 'ann', undefined, { token: later.token })).client);
    const expired = await request(d, { event_type: 'token', token: mine.token }, isType('token'));
    assert.deepEqual((expired.error as { code: number }).code, 403);

    const pub = await createRoom(server.url, { title: `Public tokens ${++counter}`, visibility: 'public' });
    const p = track((await joinWith(server.wsUrl, pub.id, 'ann')).client);
    const none = await request(p, { event_type: 'token', token: mine.token }, isType('token'));
    assert.deepEqual((none.error as { code: number; field: string }).field, 'token');
  });
});
