// Abuse limits (SPEC §6): rooms per hour, token requests per minute, sockets per address and a
// socket's message rate, each over its limit answering 306, and 0 turning each one off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, connect, createRoom, joinAs, UpgradeRefused, type ChatClient } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let limited: TestServer;
let unlimited: TestServer;
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);

before(async () => {
  [limited, unlimited] = await Promise.all([
    startServer({
      env: {
        CHITCHAT_LIMIT_ROOMS_PER_HOUR: '3',
        CHITCHAT_LIMIT_TOKENS_PER_MINUTE: '3',
        CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: '3',
        CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '2',
        CHITCHAT_LIMIT_MESSAGES_BURST: '4',
      },
    }),
    // Every limit 0, spelled out (startServer's defaults are the same, but this file is about them).
    startServer({
      env: {
        CHITCHAT_LIMIT_ROOMS_PER_HOUR: '0',
        CHITCHAT_LIMIT_TOKENS_PER_MINUTE: '0',
        CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: '0',
        CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '0',
        CHITCHAT_LIMIT_MESSAGES_BURST: '0',
      },
    }),
  ]);
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await Promise.all([limited.dispose(), unlimited.dispose()]);
});

const isType = (t: string) => (e: { event_type: string }) => e.event_type === t;

describe('limits set', () => {
  let den: { id: number; title: string };

  test('rooms per hour: the 4th creation from one address is 429/306 and creates nothing', async () => {
    den = await createRoom(limited.url, { title: 'Limited den', visibility: 'private', password: 'limited pw' });
    await createRoom(limited.url, { title: 'Limited two', visibility: 'public' });
    // A refused creation still counts: the budget is per request.
    expectError(await api(limited.url, 'POST', '/chats', { title: 'x' }), 400, 105, 'title');
    const r = await api(limited.url, 'POST', '/chats', { title: 'One too many', visibility: 'public' });
    expectError(r, 429, 306, undefined, 'over the room limit');
    expectError(await api(limited.url, 'GET', '/chats/one%20too%20many'), 404, 101);
    // Reading is not limited.
    assert.equal((await api(limited.url, 'GET', '/chats')).status, 200);
  });

  test('token requests per minute: per room and address, however the room is named', async () => {
    const body = { secret: 'limited pw', name: 'david' };
    // The same room by id, by title in another case, and by id with leading zeros: one budget.
    const paths = [`/chats/${den.id}/token`, `/chats/${encodeURIComponent(den.title.toUpperCase())}/token`, `/chats/00${den.id}/token`];
    for (const path of paths) assert.equal((await api(limited.url, 'POST', path, body)).status, 201, path);
    for (const path of paths) expectError(await api(limited.url, 'POST', path, body), 429, 306, undefined, path);
    // Wrong keys count too, or the limit would not slow a guesser down; another room has its own budget.
    for (let i = 0; i < 3; i++) {
      expectError(await api(limited.url, 'POST', '/chats/1/token', { owner_key: `guess ${i}`, name: 'guesser' }), 401, 304, 'owner_key');
    }
    expectError(await api(limited.url, 'POST', '/chats/1/token', { owner_key: 'guess 3', name: 'guesser' }), 429, 306);
    expectError(await api(limited.url, 'POST', `/chats/${den.id}/token`, body), 429, 306, undefined, 'still limited');
  });

  test('sockets per address: the 4th open socket is refused with 429/306; closing one frees a place', async () => {
    const first = track(await connect(limited.wsUrl, 1));
    track(await connect(limited.wsUrl, 1));
    track(await connect(limited.wsUrl, 1));
    await assert.rejects(connect(limited.wsUrl, 1), (e: UpgradeRefused) => {
      assert.ok(e instanceof UpgradeRefused, String(e));
      assert.equal(e.status, 429);
      assert.deepEqual(JSON.parse(e.body), { status: false, error: { code: 306, error: 'Too many requests' } });
      return true;
    });
    // The limit is per address, not per room.
    await assert.rejects(connect(limited.wsUrl, 'limited two'), (e: UpgradeRefused) => e.status === 429);
    first.close();
    await first.closed();
    // The server notices the close a moment after the client does.
    let again: ChatClient | undefined;
    for (let i = 0; i < 100 && !again; i++) {
      again = await connect(limited.wsUrl, 1).catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)));
    }
    assert.ok(again, 'a place was freed');
    track(again);
    for (const c of open.splice(0)) {
      c.close();
      await c.closed();
    }
  });

  test('messages per socket: over the burst, error 306 and the extra messages are not stored', async () => {
    // The socket budget frees up as the previous test's sockets close server-side.
    let alice: ChatClient | undefined;
    for (let i = 0; i < 100 && !alice; i++) {
      alice = await joinAs(limited.wsUrl, 'limited two', 'alice').catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)));
    }
    assert.ok(alice);
    track(alice);
    // join took one of the 4; send 10 at once.
    for (let i = 1; i <= 10; i++) alice.send({ event_type: 'send', msg: `burst ${i}`, client_id: `b${i}` });
    const err = await alice.next(isType('error'));
    assert.deepEqual(err.error, { code: 306, error: 'Too many requests' });
    // Every frame is answered by an ack or an error 306.
    const answered = () => alice!.events.filter((e) => e.event_type === 'ack' || (e.event_type === 'error' && (e.error as { code: number }).code === 306)).length;
    for (let i = 0; i < 250 && answered() < 10; i++) await new Promise((r) => setTimeout(r, 20));
    const acked = alice.events.filter(isType('ack')).map((e) => e.client_id);
    const refused = alice.events.filter(isType('error')).length;
    assert.equal(acked.length + refused, 10);
    // The burst is 4 and join took one; the 2/s refill may add one or two on a slow machine.
    assert.ok(acked.length >= 3 && acked.length <= 6, `acked ${acked.length}`);
    const history = await api(limited.url, 'GET', '/chats/limited%20two/messages');
    assert.deepEqual(history.body.messages.map((m: { client_id: string }) => m.client_id), acked, 'only acked messages were stored');
    // The socket stays open and may send again once the bucket refills (2 per second).
    assert.equal(alice.ws.readyState, alice.ws.OPEN);
    await new Promise((r) => setTimeout(r, 600));
    const from = alice.events.length;
    alice.send({ event_type: 'send', msg: 'after a pause', client_id: 'later' });
    const ack = await alice.next(isType('ack'), 5000, from);
    assert.equal(ack.client_id, 'later');
  });
});

describe('limits turned off with 0', () => {
  test('no room, token, socket or message limit applies', async () => {
    for (let i = 1; i <= 8; i++) assert.equal((await api(unlimited.url, 'POST', '/chats', { title: `Free room ${i}` })).status, 201);
    const den = await createRoom(unlimited.url, { title: 'Free den', visibility: 'hidden', password: 'free den pw' });
    for (let i = 0; i < 15; i++) {
      assert.equal((await api(unlimited.url, 'POST', `/chats/${den.id}/token`, { secret: 'free den pw', name: `n${i}` })).status, 201);
    }
    const sockets = await Promise.all(Array.from({ length: 8 }, () => connect(unlimited.wsUrl, 1)));
    sockets.forEach(track);
    const talker = track(await joinAs(unlimited.wsUrl, 'free room 1', 'talker'));
    for (let i = 1; i <= 60; i++) talker.send({ event_type: 'send', msg: `m${i}`, client_id: `m${i}` });
    await talker.next((e) => e.event_type === 'ack' && e.client_id === 'm60', 10_000);
    assert.equal(talker.events.filter(isType('error')).length, 0);
    const history = await api(unlimited.url, 'GET', '/chats/free%20room%201/messages?limit=200');
    assert.equal(history.body.messages.length, 60);
    // No rate-limit headers where no limit is set.
    const r = await api(unlimited.url, 'POST', '/chats', { title: 'Free room 9' });
    assert.equal(r.headers.get('x-ratelimit-limit'), null);
  });
});
