// The SDK against a real server: reconnect across a restart loses and duplicates nothing; a send
// whose ack was lost with its connection is resent with its client_id and acked once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChitChat, type ChatMessage, type RoomSocket } from '../../src/client/index.ts';
import { cutProxy } from '../helpers/proxy.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { until as poll } from '../helpers/until.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.dispose();
});

function collect(room: RoomSocket): ChatMessage[] {
  const got: ChatMessage[] = [];
  room.on('message', (m) => got.push(m));
  return got;
}

/** Waits for what travels through the server and the SDK's reconnects (20 s). */
const until = (check: () => boolean, what: string, ms = 20_000) => poll(check, what, ms, 25);

test('reconnect across a server restart: every message once, in seq order, every send acked', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'sdk restart' });
  const alice = await chat.connect(room.id, { name: 'alice', reconnect: { baseMs: 100, maxMs: 400 } });
  // Bob comes back later than alice, so what she sends meanwhile reaches him only by ?since.
  const bob = await chat.connect(room.id, { name: 'bob', reconnect: { baseMs: 2500, maxMs: 2500 } });
  const seen = collect(bob);
  const statuses: string[] = [];
  alice.on('status', (s) => statuses.push(s.state));

  const texts = Array.from({ length: 60 }, (_, i) => `m${i}`);
  const acks = texts.slice(0, 20).map((t) => alice.send(t));
  await Promise.all(acks);
  const stopped = server.stop();
  // Sent while the server is going down or gone: they wait and go out after the reconnect.
  acks.push(...texts.slice(20, 40).map((t) => alice.send(t)));
  assert.equal(await stopped, 0);
  server = await server.restart();
  acks.push(...texts.slice(40).map((t) => alice.send(t)));

  const done = await Promise.all(acks);
  assert.ok(statuses.includes('reconnecting'), 'alice noticed the restart');
  assert.deepEqual(done.map((a) => a.seq), texts.map((_, i) => i + 1), 'each send acked once, with seq 1..60 in order');
  await until(() => seen.length >= texts.length, 'bob to receive every message');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(seen.map((m) => m.msg), texts, 'bob got each message once, in order');
  assert.deepEqual(seen.map((m) => m.seq), texts.map((_, i) => i + 1));
  assert.equal(bob.lastSeq, 60);

  const history = await chat.messages(room.id, { limit: 200 });
  assert.deepEqual(history.messages.map((m) => m.msg), texts, 'stored once each');
  await Promise.all([alice.close(), bob.close()]);
});

test('a send whose ack was lost with the connection is resent and acked once, with the stored id and seq', async () => {
  const proxy = await cutProxy(server.port);
  try {
    const direct = new ChitChat({ url: server.url });
    const room = await direct.createRoom({ title: 'sdk lost ack' });
    const watcher = await direct.connect(room.id, { name: 'watcher' });
    const seen = collect(watcher);

    const viaProxy = new ChitChat({ url: proxy.url });
    const alice = await viaProxy.connect(room.id, { name: 'alice', reconnect: { baseMs: 100, maxMs: 300 } });
    const first = await alice.send('before');
    const cut = proxy.cutAfterNextClientFrame();
    let acks = 0;
    const sent = alice.send('across the cut', { clientId: 'cid-across' }).then((a) => {
      acks++;
      return a;
    });
    await cut;
    // The frame reached the server, the connection did not survive to carry the ack back.
    await until(() => seen.some((m) => m.msg === 'across the cut'), 'the server to store and broadcast it');
    const ack = await sent;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(acks, 1);
    const stored = seen.find((m) => m.msg === 'across the cut')!;
    assert.equal(ack.id, stored.id, 'the resend was acked with the stored id');
    assert.equal(ack.seq, first.seq + 1);
    assert.equal(ack.client_id, 'cid-across');
    const after1 = await alice.send('after');
    assert.equal(after1.seq, ack.seq + 1, 'no second copy took a seq');
    await until(() => seen.length === 3, 'all three messages');
    assert.deepEqual(seen.map((m) => m.msg), ['before', 'across the cut', 'after']);
    const history = await direct.messages(room.id);
    assert.equal(history.messages.filter((m) => m.client_id === 'cid-across').length, 1);
    await Promise.all([alice.close(), watcher.close()]);
  } finally {
    await proxy.close();
  }
});

test('connect() rejects with the reason: unknown room, taken name, unreachable server', async () => {
  const chat = new ChitChat({ url: server.url });
  await assert.rejects(chat.connect('no such room here', { name: 'x' }), { code: 101 });
  const room = await chat.createRoom({ title: 'sdk taken' });
  const a = await chat.connect(room.id, { name: 'carol' });
  await assert.rejects(chat.connect(room.id, { name: 'carol' }), { code: 202, field: 'name' });
  await a.close();
  const nowhere = new ChitChat({ url: 'http://127.0.0.1:1' });
  await assert.rejects(nowhere.connect(1, { name: 'x' }), { code: 0, status: 0 });
  await assert.rejects(a.send('after close'), /closed/);
});

test('events arrive through callbacks and the async iterator alike', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'sdk iterate' });
  const reader = await chat.connect(room.id, { name: 'reader' });
  const writer = await chat.connect(room.id, { name: 'writer' });
  const types: string[] = [];
  const reading = (async () => {
    for await (const ev of reader) {
      types.push(ev.event_type);
      if (ev.event_type === 'send' && ev.msg === 'last') break;
    }
  })();
  const joins: string[] = [];
  reader.on('leave', (e) => joins.push(`leave ${e.name}`));
  await writer.send('first');
  await writer.send('last');
  await reading;
  assert.deepEqual(types.filter((t) => t === 'send'), ['send', 'send']);
  // The same client_id twice: one message, both callers get its ack.
  const [x, y] = await Promise.all([writer.send('twice', { clientId: 'same-id' }), writer.send('twice', { clientId: 'same-id' })]);
  assert.deepEqual([x.seq, y.seq, x.id], [3, 3, y.id]);
  assert.equal((await chat.messages(room.id)).messages.filter((m) => m.msg === 'twice').length, 1);
  await writer.close();
  await until(() => joins.includes('leave writer'), 'the leave event');
  await reader.close();
  // An iterator made after close() ends at once.
  for await (const _ of reader) assert.fail('no event after close');
});
