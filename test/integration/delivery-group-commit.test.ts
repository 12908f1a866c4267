// Group commit: messages that arrive together are stored in one transaction. Proved by the
// store's own batch-size histogram, not by timing: after a burst, some batch held more than one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRoom, joinAs, type ChatClient } from '../helpers/chat.ts';
import { assertSeqRange, fullHistory, metric, waitUntil } from '../helpers/delivery.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const clients: ChatClient[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  for (const c of clients) c.ws.terminate();
  await server.dispose();
});

const H = 'chitchat_store_batch_messages';

test('a burst from several sockets is stored in batches of more than one message', async (t) => {
  const room = (await createRoom(server.url, { title: 'Group commit', visibility: 'public' })).id as number;
  for (let i = 0; i < 4; i++) clients.push(await joinAs(server.wsUrl, room, `burst${i}`));
  const count0 = await metric(server.url, `${H}_count`);
  const sum0 = await metric(server.url, `${H}_sum`);
  const single0 = await metric(server.url, `${H}_bucket{le="1"}`);

  // Each socket writes 100 frames back to back; the server reads many per network read.
  const PER = 100;
  for (const [i, c] of clients.entries()) {
    for (let k = 0; k < PER; k++) c.send({ event_type: 'send', msg: `m ${i}-${k}`, client_id: `${i}-${k}` });
  }
  const acks = (c: ChatClient) => c.events.filter((e) => e.event_type === 'ack');
  await waitUntil(() => clients.every((c) => acks(c).length === PER), 15_000, () => 'not every message was acked');

  const batches = (await metric(server.url, `${H}_count`)) - count0;
  const stored = (await metric(server.url, `${H}_sum`)) - sum0;
  const singles = (await metric(server.url, `${H}_bucket{le="1"}`)) - single0;
  t.diagnostic(`${stored} messages in ${batches} transactions (${singles} of one message)`);
  assert.equal(stored, clients.length * PER, 'every message went through the writer once');
  assert.ok(batches - singles > 0, 'no transaction held more than one message');
  assert.ok(batches < stored);

  // Batching changes nothing a client can see: seqs 1..N, each socket's acks in its send order.
  const history = await fullHistory(server.url, room);
  assertSeqRange(history.map((m) => m.seq), 1, clients.length * PER, 'history');
  for (const [i, c] of clients.entries()) {
    const mine = acks(c);
    assert.deepEqual(mine.map((a) => a.client_id), Array.from({ length: PER }, (_, k) => `${i}-${k}`));
    for (let k = 1; k < mine.length; k++) assert.ok((mine[k]!.seq as number) > (mine[k - 1]!.seq as number));
    const sends = c.events.filter((e) => e.event_type === 'send').map((e) => e.seq as number);
    assertSeqRange(sends, 1, clients.length * PER, `socket ${i}'s view`);
  }
});
