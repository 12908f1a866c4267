// Message history (SPEC §1): paging by seq with before/after/limit, has_more in both directions,
// limit bounds, and that each message has the shape of the live `send` event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, bearer, createRoom, joinAs, token, type ChatClient, type ServerEvent } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const COUNT = 25;

let server: TestServer;
let room: { id: number; title: string };
let sender: ChatClient;
/** The `send` events the sender saw live, by seq. */
const live = new Map<number, ServerEvent>();

before(async () => {
  server = await startServer();
  room = await createRoom(server.url, { title: 'History room', visibility: 'public' });
  sender = await joinAs(server.wsUrl, room.id, 'scribe', { color: '#7b1fa2' });
  for (let i = 1; i <= COUNT; i++) {
    // Every other message without a client_id: the key is then absent, not null.
    sender.send({ event_type: 'send', msg: `line ${i}`, ...(i % 2 === 1 && { client_id: `c${i}` }) });
  }
  await sender.next((e) => e.event_type === 'ack' && e.seq === COUNT, 10_000);
  for (const e of sender.events) if (e.event_type === 'send') live.set(e.seq as number, e);
});
after(async () => {
  sender?.ws.terminate();
  await server.dispose();
});

type Msg = { seq: number; msg: string };
const page = async (query: string) => {
  const r = await api(server.url, 'GET', `/chats/${room.id}/messages${query}`);
  assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
  assert.deepEqual(Object.keys(r.body).sort(), ['has_more', 'messages']);
  return { seqs: (r.body.messages as Msg[]).map((m) => m.seq), hasMore: r.body.has_more as boolean, messages: r.body.messages as Msg[] };
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('paging', () => {
  test('without parameters: the newest 50 (here all 25), ascending, has_more false', async () => {
    const p = await page('');
    assert.deepEqual(p.seqs, range(1, COUNT));
    assert.equal(p.hasMore, false);
    assert.deepEqual(p.messages.map((m) => m.msg), range(1, COUNT).map((i) => `line ${i}`));
  });

  test('limit alone: the newest N, ascending, has_more says older ones exist', async () => {
    const ten = await page('?limit=10');
    assert.deepEqual([ten.seqs, ten.hasMore], [range(16, 25), true]);
    const one = await page('?limit=1');
    assert.deepEqual([one.seqs, one.hasMore], [[25], true]);
    const exact = await page(`?limit=${COUNT}`);
    assert.deepEqual([exact.seqs, exact.hasMore], [range(1, COUNT), false]);
    const max = await page('?limit=200');
    assert.deepEqual([max.seqs, max.hasMore], [range(1, COUNT), false]);
  });

  test('before: the newest N below it; has_more is true while older messages remain', async () => {
    let p = await page('?before=16&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(6, 15), true]);
    p = await page('?before=6&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(1, 5), false]);
    p = await page('?before=11&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(1, 10), false], 'exactly the rest: nothing beyond');
    p = await page('?before=1');
    assert.deepEqual([p.seqs, p.hasMore], [[], false]);
    p = await page('?before=1000&limit=5');
    assert.deepEqual([p.seqs, p.hasMore], [range(21, 25), true]);
  });

  test('after: the oldest N above it; has_more is true while newer messages remain', async () => {
    let p = await page('?after=0&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(1, 10), true]);
    p = await page('?after=10&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(11, 20), true]);
    p = await page('?after=20&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(21, 25), false]);
    p = await page('?after=15&limit=10');
    assert.deepEqual([p.seqs, p.hasMore], [range(16, 25), false], 'exactly the rest: nothing beyond');
    p = await page(`?after=${COUNT}`);
    assert.deepEqual([p.seqs, p.hasMore], [[], false]);
    p = await page('?after=3');
    assert.deepEqual([p.seqs, p.hasMore], [range(4, 25), false]);
  });

  test('walking back with before and forward with after visits every message exactly once', async () => {
    const back: number[] = [];
    let cursor: number | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const p = await page(`?limit=7${cursor === undefined ? '' : `&before=${cursor}`}`);
      back.unshift(...p.seqs);
      if (!p.hasMore) break;
      cursor = p.seqs[0];
    }
    assert.deepEqual(back, range(1, COUNT));

    const forward: number[] = [];
    let after = 0;
    for (let guard = 0; guard < 20; guard++) {
      const p = await page(`?limit=6&after=${after}`);
      forward.push(...p.seqs);
      if (!p.hasMore) break;
      after = p.seqs[p.seqs.length - 1]!;
    }
    assert.deepEqual(forward, range(1, COUNT));
  });

  test('the room is found by title for history too', async () => {
    const r = await api(server.url, 'GET', `/chats/${encodeURIComponent('HISTORY ROOM')}/messages?limit=2`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.messages.map((m: Msg) => m.seq), [24, 25]);
  });

  test('an empty room has no messages and nothing more', async () => {
    const empty = await createRoom(server.url, { title: 'Empty history', visibility: 'public' });
    for (const q of ['', '?limit=5', '?before=10', '?after=0']) {
      const r = await api(server.url, 'GET', `/chats/${empty.id}/messages${q}`);
      assert.deepEqual(r.body, { messages: [], has_more: false }, q);
    }
  });
});

describe('parameters', () => {
  const bad: [string, string][] = [
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1e2', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['before=0', 'before'],
    ['before=abc', 'before'],
    ['after=-1', 'after'],
    ['after=x', 'after'],
  ];
  for (const [query, field] of bad) {
    test(`?${query} is 400/105 on field ${field}`, async () => {
      expectError(await api(server.url, 'GET', `/chats/${room.id}/messages?${query}`), 400, 105, field, query);
    });
  }

  test('an unknown room is 404/101', async () => {
    expectError(await api(server.url, 'GET', '/chats/31337/messages'), 404, 101);
    expectError(await api(server.url, 'GET', '/chats/nowhere%20at%20all/messages'), 404, 101);
  });

  test('a private room\'s history needs its token', async () => {
    const den = await createRoom(server.url, { title: 'History den', visibility: 'private', password: 'history secret' });
    expectError(await api(server.url, 'GET', `/chats/${den.id}/messages`), 401, 104, 'token');
    const t = await token(server.url, den.id, { secret: 'history secret', name: 'reader' });
    const reader = await joinAs(server.wsUrl, den.id, 'reader', { token: t });
    reader.send({ event_type: 'send', msg: 'for members only' });
    await reader.next((e) => e.event_type === 'ack');
    reader.ws.terminate();
    const r = await api(server.url, 'GET', `/chats/${den.id}/messages`, undefined, bearer(t));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.messages.map((m: Msg) => [m.seq, m.msg]), [[1, 'for members only']]);
  });
});

describe('message shape', () => {
  test('each message is the `send` event: event_type, id, seq, name, color, msg, time, room_id, client_id', async () => {
    const { messages } = await page('');
    for (const m of messages as unknown as Record<string, unknown>[]) {
      const seq = m.seq as number;
      const withClientId = seq % 2 === 1;
      const keys = ['color', 'event_type', 'id', 'msg', 'name', 'room_id', 'seq', 'time', 'trip', ...(withClientId ? ['client_id'] : [])];
      assert.deepEqual(Object.keys(m).sort(), keys.sort(), `seq ${seq}`);
      assert.equal(m.event_type, 'send');
      assert.equal(typeof m.id, 'string');
      assert.ok((m.id as string).length > 0);
      assert.equal(m.name, 'scribe');
      assert.equal(m.color, '#7b1fa2');
      assert.equal(m.msg, `line ${seq}`);
      assert.equal(m.room_id, room.id);
      assert.ok(!Number.isNaN(Date.parse(m.time as string)), 'time is an ISO-8601 string');
      assert.equal(new Date(m.time as string).toISOString(), m.time);
      if (withClientId) assert.equal(m.client_id, `c${seq}`);
      assert.match(m.trip as string, /^[\w-]{6}$/, 'the author’s trip code (SPEC §12)');
      // Exactly what went over the socket, live.
      assert.deepEqual(m, live.get(seq), `seq ${seq} as broadcast`);
    }
    const ids = new Set(messages.map((m) => (m as unknown as { id: string }).id));
    assert.equal(ids.size, COUNT, 'ids are unique');
    const times = messages.map((m) => Date.parse((m as unknown as { time: string }).time));
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'time grows with seq');
  });
});
