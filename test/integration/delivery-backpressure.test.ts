// Slow consumers (SPEC §4 limits): a socket that stops reading is closed with 1013 instead
// of slowing the room; everyone else gets every message in order meanwhile; the slow client
// recovers everything with ?since.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, createRoom } from '../helpers/chat.ts';
import {
  assertSeqRange,
  fullHistory,
  messageKey,
  metric,
  Participant,
  rawSocket,
  throttledProxy,
  waitUntil,
} from '../helpers/delivery.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MAX_BUFFERED = 64 * 1024;
let server: TestServer;
const people: Participant[] = [];

before(async () => {
  server = await startServer({ env: { CHITCHAT_MAX_BUFFERED_BYTES: String(MAX_BUFFERED) } });
});
after(async () => {
  for (const p of people) for (const c of p.conns) c.ws.terminate();
  await server.dispose();
});

const SLOW_METRIC = 'chitchat_slow_consumer_disconnects_total';

test('a socket that stops reading is closed alone with 1013; the others get every message; it recovers with ?since', { timeout: 90_000 }, async (t) => {
  const room = (await createRoom(server.url, { title: 'Backpressure', visibility: 'public' })).id as number;
  const slow = new Participant(server.wsUrl, room, 'slow');
  const fast = [new Participant(server.wsUrl, room, 'fast1'), new Participant(server.wsUrl, room, 'fast2')];
  const sender = new Participant(server.wsUrl, room, 'sender');
  people.push(slow, ...fast, sender);
  for (const p of people) await p.connect();
  const slowBefore = await metric(server.url, SLOW_METRIC);

  // The slow client stops reading from its TCP socket: the kernel buffers fill, then the server's.
  rawSocket(slow.current).pause();

  // Send in acked rounds of 1 KiB messages until the server has given up on the slow socket.
  const body = 'x'.repeat(1000);
  let next = 0;
  const round = async (n: number) => {
    for (let i = 0; i < n; i++) sender.send(`m-${++next}`, `${next} ${body}`);
    await waitUntil(() => sender.unacked().length === 0, 15_000, () => `sender has ${sender.unacked().length} unacked`);
  };
  let rounds = 0;
  while ((await metric(server.url, SLOW_METRIC)) === slowBefore) {
    assert.ok(++rounds <= 150, 'the server never disconnected the stalled socket (15 MB queued)');
    await round(100);
  }
  const dropped = next;
  t.diagnostic(`stalled socket dropped after ~${rounds * 100} messages of ~1 KiB`);

  // While the slow socket is still stalled, everyone else has every message, in order.
  for (const p of [...fast, sender]) {
    await waitUntil(() => p.lastSeq() === dropped, 10_000, () => `${p.name} at ${p.lastSeq()} of ${dropped}`);
    assertSeqRange(p.received().map((e) => e.seq as number), 1, dropped, `${p.name}'s view`);
    assert.equal(p.current.ws.readyState, p.current.ws.OPEN, `${p.name} was disconnected`);
  }

  // The slow reader reads on: it gets what was queued for it, then the close frame, 1013, which
  // waited behind the queue (a peer that reads nothing for a while is cut instead).
  rawSocket(slow.current).resume();
  const { code, reason } = await slow.current.closed(10_000);
  assert.equal(code, 1013, `slow socket closed with ${code} ${reason}`);
  assert.match(reason, /reconnect with \?since/);
  const seenBeforeClose = slow.lastSeq();
  assert.ok(seenBeforeClose < dropped, 'the slow socket was not behind');
  assertSeqRange(slow.received().map((e) => e.seq as number), 1, seenBeforeClose, 'what the slow socket got before the close');

  // 3 MiB more while it is away: the backlog it must recover is far larger than its buffer limit.
  for (let i = 0; i < 30; i++) await round(100);
  const n = next;
  t.diagnostic(`the slow socket got ${seenBeforeClose} messages before the close; recovering ${n - seenBeforeClose}`);

  // Recovery: ?since=<last seen> brings exactly the rest, even though the backlog is many times
  // larger than the per-socket buffer limit.
  await slow.connect();
  await waitUntil(() => slow.lastSeq() === n, 15_000, () => `slow at ${slow.lastSeq()} of ${n}`);
  const history = await fullHistory(server.url, room);
  assertSeqRange(history.map((m) => m.seq), 1, n, 'history');
  for (const p of people) assert.deepEqual(p.received().map(messageKey), history.map(messageKey), `${p.name}'s view`);
  assert.equal(slow.current.ws.readyState, slow.current.ws.OPEN, 'the recovering socket was closed');

  // And it is live again.
  sender.send('after', 'after recovery');
  await waitUntil(() => slow.lastSeq() === n + 1, 5_000, () => 'slow did not get the next live message');
});

test('a client on a slow link that keeps up recovers a backlog far larger than the buffer limit', { timeout: 60_000 }, async (t) => {
  const room = (await createRoom(server.url, { title: 'Slow link', visibility: 'public' })).id as number;
  const sender = new Participant(server.wsUrl, room, 'sender');
  people.push(sender);
  await sender.connect();
  // ~6 MiB of history: more than the loopback kernel buffers (~4 MiB) plus the 64 KiB limit.
  const body = 'y'.repeat(3990);
  let next = 0;
  for (let r = 0; r < 15; r++) {
    for (let i = 0; i < 100; i++) sender.send(`s-${++next}`, `${next} ${body}`);
    await waitUntil(() => sender.unacked().length === 0, 15_000, () => `sender has ${sender.unacked().length} unacked`);
  }
  const n = next;

  // A 4 MB/s link: the replay takes a second or two. Meanwhile the room gets 20 more messages
  // and the recovering client joins and sends one of its own.
  const proxy = await throttledProxy(server.port, 4 * 1024 * 1024);
  try {
    const reader = await connect(`ws://127.0.0.1:${proxy.port}`, room, { since: 0 });
    const seqs = () => reader.events.filter((e) => e.event_type === 'send').map((e) => e.seq as number);
    let closed: number | undefined;
    reader.ws.on('close', (code) => (closed = code));
    reader.send({ event_type: 'join', name: 'reader', color: '#123456' });
    // Its presence answer waits behind the replay; the others see it join at once.
    await sender.current.next((e) => e.event_type === 'join' && e.name === 'reader', 10_000);
    reader.send({ event_type: 'send', msg: 'sent while replaying', client_id: 'r-1' });
    const replayedWhenSent = seqs().length;
    for (let i = 0; i < 20; i++) sender.send(`s-${++next}`, `live ${next}`);
    const total = n + 21;
    await waitUntil(
      () => seqs().at(-1) === total || closed !== undefined,
      30_000,
      () => `reader at ${String(seqs().at(-1))} of ${total}`,
    );
    assert.equal(closed, undefined, `the recovering client was closed (${String(closed)}) after ${seqs().length} of ${total} messages`);
    assert.ok(replayedWhenSent < n, 'the replay was over before the client sent: this test proved nothing');
    assertSeqRange(seqs(), 1, total, 'replay, then live');
    const ack = await reader.next((e) => e.event_type === 'ack');
    const ackAt = reader.events.indexOf(ack);
    const ownAt = reader.events.findIndex((e) => e.event_type === 'send' && e.client_id === 'r-1');
    assert.ok(ownAt !== -1 && ownAt < ackAt, 'the ack overtook the message it acknowledges');
    assert.ok((ack.seq as number) > n, 'the message sent during the replay was ordered before the backlog');
    assert.deepEqual(
      reader.events.filter((e) => e.event_type === 'send').map(messageKey),
      (await fullHistory(server.url, room)).map(messageKey),
    );
    t.diagnostic(`replayed ${n} messages (${Math.round((n * 4000) / 1024 / 1024)} MiB) through a throttled link`);
    reader.ws.terminate();
  } finally {
    proxy.close();
  }
});
