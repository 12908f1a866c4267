// A reader on a slow link that falls behind is closed with 1013 and really receives that code:
// the close frame waits behind its queue, and the server keeps the connection while the peer
// keeps reading (a fixed 1 s cut used to drop the queue and the frame, leaving the peer a 1006).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, createRoom } from '../helpers/chat.ts';
import { metric, Participant, throttledProxy, waitUntil } from '../helpers/delivery.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const people: Participant[] = [];
before(async () => {
  server = await startServer({ env: { CHITCHAT_MAX_BUFFERED_BYTES: String(64 * 1024) } });
});
after(async () => {
  for (const p of people) for (const c of p.conns) c.ws.terminate();
  await server.dispose();
});

test('a slow link that falls behind gets close code 1013, after everything queued before it', { timeout: 120_000 }, async (t) => {
  const room = (await createRoom(server.url, { title: 'Slow link 1013', visibility: 'public' })).id as number;
  const sender = new Participant(server.wsUrl, room, 'sender');
  people.push(sender);
  await sender.connect();
  // 1 MB/s: far slower than the room, yet the reader never stops reading.
  const proxy = await throttledProxy(server.port, 1024 * 1024);
  try {
    const reader = await connect(`ws://127.0.0.1:${proxy.port}`, room, { since: 0 });
    const before = await metric(server.url, 'chitchat_slow_consumer_disconnects_total');
    const body = 'z'.repeat(3990);
    let next = 0;
    for (let rounds = 0; (await metric(server.url, 'chitchat_slow_consumer_disconnects_total')) === before; rounds++) {
      assert.ok(rounds < 100, 'the server never found the reader too slow');
      for (let i = 0; i < 100; i++) sender.send(`s-${++next}`, `${next} ${body}`);
      await waitUntil(() => sender.unacked().length === 0, 15_000, () => 'acks');
    }
    const { code, reason } = await reader.closed(60_000);
    const got = reader.events.filter((e) => e.event_type === 'send').map((e) => e.seq as number);
    t.diagnostic(`closed with ${code} after reading ${got.length} of ${next} messages through the slow link`);
    assert.equal(code, 1013, `closed with ${code} ${reason}`);
    assert.ok(got.length > 0 && got.length < next);
    assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => i + 1), 'what it got came in order, without a gap');
  } finally {
    proxy.close();
  }
});
