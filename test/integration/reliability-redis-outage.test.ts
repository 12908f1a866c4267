// Redis outage under two nodes (docs/SCALING.md, "A node that loses Redis"): while a private
// Redis is killed, each node keeps storing and acking and serves its own sockets, /readyz answers
// 503; when it is back, every socket on every node has every message stored meanwhile, in order,
// once, without a further message to reveal the gap, and presence is rebuilt.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { api, connect, createRoom, joinAs, type ChatClient, type ServerEvent } from '../helpers/chat.ts';
import { assertSeqRange, fullHistory, messageKey, waitUntil } from '../helpers/delivery.ts';
import { privateRedis, redisServerSkip, type RedisInstance } from '../helpers/instances.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { POSTGRES_URL, postgresSkip, uniqueName } from '../helpers/services.ts';

const skip = (await postgresSkip()) ?? redisServerSkip();
const schema = uniqueName('chitchat_test');

let redis: RedisInstance;
let a: TestServer;
let b: TestServer;
const started: TestServer[] = [];
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);
const sends = (c: ChatClient) => c.events.filter((e) => e.event_type === 'send');
const acks = (c: ChatClient) => c.events.filter((e) => e.event_type === 'ack');
const usernames = (users: { username: string }[]) => users.map((u) => u.username).sort();

async function readyz(node: TestServer): Promise<{ status: number; body: { broker: boolean; store: boolean } }> {
  const r = await api(node.url, 'GET', '/readyz');
  return { status: r.status, body: r.body };
}

async function untilAsync(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis outage under two nodes', { skip }, () => {
  before(async () => {
    redis = await privateRedis();
    const env = {
      CHITCHAT_DATABASE_URL: POSTGRES_URL,
      CHITCHAT_DATABASE_SCHEMA: schema,
      CHITCHAT_REDIS_URL: redis.url,
      CHITCHAT_REDIS_PREFIX: `${uniqueName('outage')}:`,
      CHITCHAT_SECRET: randomBytes(32).toString('base64url'),
    };
    const start = async () => {
      const s = await startServer({ env });
      started.push(s);
      return s;
    };
    a = await start();
    b = await start();
  });

  after(async () => {
    for (const c of open) c.ws.terminate();
    await Promise.all(started.map((s) => s.dispose()));
    await redis?.kill();
    const db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  });

  test('nodes store, ack and serve their own sockets while Redis is down; all catch up when it returns', { timeout: 120_000 }, async (t) => {
    // One room written on A, one on B during the outage: each node's sockets must catch up on
    // what the other stored, with no later message to reveal the gap.
    const roomA = (await createRoom(a.url, { title: 'Outage A', visibility: 'public' })).id as number;
    const roomB = (await createRoom(a.url, { title: 'Outage B', visibility: 'public' })).id as number;
    const alice = track(await joinAs(a.wsUrl, roomA, 'alice'));
    const carol = track(await joinAs(a.wsUrl, roomA, 'carol'));
    const dan = track(await joinAs(b.wsUrl, roomA, 'dan'));
    const bob = track(await joinAs(b.wsUrl, roomB, 'bob'));
    const erin = track(await joinAs(a.wsUrl, roomB, 'erin'));
    const fay = track(await joinAs(b.wsUrl, roomB, 'fay'));
    await alice.next((e) => e.event_type === 'join' && e.name === 'dan');
    await bob.next((e) => e.event_type === 'join' && e.name === 'fay');
    await erin.next((e) => e.event_type === 'join' && e.name === 'fay');
    // A room node B has no socket in yet: its first socket comes during the outage.
    const roomC = (await createRoom(a.url, { title: 'Outage C', visibility: 'public' })).id as number;
    const gus = track(await joinAs(a.wsUrl, roomC, 'gus'));
    gus.send({ event_type: 'send', msg: 'c1', client_id: 'c1' });
    await gus.next((e) => e.event_type === 'ack');

    await redis.kill();
    for (const node of [a, b]) {
      await untilAsync(async () => (await readyz(node)).status === 503, '/readyz to answer 503');
      assert.deepEqual((await readyz(node)).body.broker, false);
      assert.deepEqual((await readyz(node)).body.store, true);
    }

    // Every send is stored and acked at once, though the broker cannot carry it.
    for (let i = 1; i <= 5; i++) alice.send({ event_type: 'send', msg: `a${i}`, client_id: `a${i}` });
    for (let i = 1; i <= 3; i++) bob.send({ event_type: 'send', msg: `b${i}`, client_id: `b${i}` });
    await waitUntil(() => acks(alice).length === 5 && acks(bob).length === 3, 10_000, () => `acks: alice ${acks(alice).length}/5, bob ${acks(bob).length}/3`);
    assert.deepEqual(acks(alice).map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(acks(bob).map((e) => e.seq), [1, 2, 3]);
    // The node's own sockets get them live.
    await waitUntil(() => sends(carol).length === 5 && sends(fay).length === 3, 10_000, () => 'local delivery during the outage');
    // The other node's sockets cannot, yet: the outage is real.
    assert.equal(sends(dan).length, 0, 'dan (node B) got room A messages without Redis');
    assert.equal(sends(erin).length, 0, 'erin (node A) got room B messages without Redis');
    // Room JSON still answers, with the people this node knows of.
    const during = await api(a.url, 'GET', `/chats/${roomA}`);
    assert.equal(during.status, 200);
    assert.deepEqual(usernames(during.body.users), ['alice', 'carol']);
    // A socket opened during the outage starts at once and gets its replay from the store.
    const lurker = track(await connect(b.wsUrl, roomC, { since: 0 }));
    await lurker.next((e) => e.event_type === 'send' && e.msg === 'c1', 10_000);

    await redis.start();
    const back = Date.now();
    const everyone: [ChatClient, number, number][] = [
      [alice, roomA, 5],
      [carol, roomA, 5],
      [dan, roomA, 5],
      [bob, roomB, 3],
      [erin, roomB, 3],
      [fay, roomB, 3],
    ];
    await waitUntil(
      () => everyone.every(([c, , n]) => sends(c).length >= n),
      15_000,
      () => everyone.map(([c, , n]) => `${sends(c).length}/${n}`).join(' '),
    );
    t.diagnostic(`every socket had every message ${Date.now() - back} ms after Redis was back (guarantee: 2 s)`);
    await new Promise((r) => setTimeout(r, 200)); // room for a stray duplicate
    const history = { [roomA]: await fullHistory(a.url, roomA), [roomB]: await fullHistory(b.url, roomB) };
    for (const [c, room, n] of everyone) {
      assertSeqRange(sends(c).map((e) => e.seq as number), 1, n, 'a client view after the outage');
      assert.deepEqual(sends(c).map(messageKey), history[room]!.map(messageKey));
    }

    // Ready again, and the names are back in the new, empty Redis.
    for (const node of [a, b]) await untilAsync(async () => (await readyz(node)).status === 200, '/readyz 200 again');
    for (const node of [a, b]) {
      await untilAsync(async () => {
        const users = (await api(node.url, 'GET', `/chats/${roomA}`)).body.users as { username: string }[];
        return JSON.stringify(usernames(users)) === JSON.stringify(['alice', 'carol', 'dan']);
      }, 'presence rebuilt');
    }
    const copy = track(await joinAs(b.wsUrl, roomA, 'Alice'));
    assert.equal(((copy.events.find((e) => e.event_type === 'error') as ServerEvent | undefined)?.error as { code: number })?.code, 202);

    // And live traffic crosses nodes again.
    dan.send({ event_type: 'send', msg: 'after', client_id: 'd1' });
    const got = await alice.next((e) => e.event_type === 'send' && e.msg === 'after', 10_000);
    assert.equal(got.seq, 6);
    // The room first joined during the outage was subscribed when Redis came back.
    gus.send({ event_type: 'send', msg: 'c2', client_id: 'c2' });
    await lurker.next((e) => e.event_type === 'send' && e.msg === 'c2', 10_000);
    assert.deepEqual(sends(lurker).map((e) => [e.seq, e.msg]), [[1, 'c1'], [2, 'c2']]);
  });
});
