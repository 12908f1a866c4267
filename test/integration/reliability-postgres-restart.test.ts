// PostgreSQL going away and coming back under a running node (docs/SCALING.md, "PostgreSQL
// unavailable"): sends fail with error 500 while it is down, never an ack for an unstored message;
// /readyz answers 503; when it is back everything resumes by itself, and the history holds exactly
// the acked messages. Runs its own PostgreSQL on a free port, stopped and started by the test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { api, createRoom, joinAs, type ChatClient } from '../helpers/chat.ts';
import { assertSeqRange, fullHistory, messageKey, waitUntil } from '../helpers/delivery.ts';
import { expectSomeError } from '../helpers/expect.ts';
import { postgresServerSkip, privatePostgres, type PostgresInstance } from '../helpers/instances.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const skip = postgresServerSkip();
let db: PostgresInstance;
let server: TestServer;
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);
const of = (c: ChatClient, type: string) => c.events.filter((e) => e.event_type === type);

async function readyz(): Promise<{ status: number; body: { store: boolean; broker: boolean } }> {
  const r = await api(server.url, 'GET', '/readyz');
  return { status: r.status, body: r.body };
}

describe('a PostgreSQL restart under a running node', { skip }, () => {
  before(async () => {
    db = await privatePostgres();
    server = await startServer({ env: { CHITCHAT_DATABASE_URL: db.url, CHITCHAT_SECRET: randomBytes(32).toString('base64url') } });
  });
  after(async () => {
    for (const c of open) c.ws.terminate();
    await server?.dispose();
    await db?.dispose();
  });

  test('sends fail with 500 while it is down, nothing unstored is acked, and it all resumes by itself', { timeout: 120_000 }, async () => {
    const room = (await createRoom(server.url, { title: 'Restart', visibility: 'public' })).id as number;
    const alice = track(await joinAs(server.wsUrl, room, 'alice'));
    const bob = track(await joinAs(server.wsUrl, room, 'bob'));
    for (let i = 1; i <= 3; i++) alice.send({ event_type: 'send', msg: `before ${i}`, client_id: `a${i}` });
    await waitUntil(() => of(alice, 'ack').length === 3, 10_000, () => 'acks before the restart');

    await db.stop();
    const down = await readyz();
    assert.equal(down.status, 503);
    assert.deepEqual([down.body.store, down.body.broker], [false, true]);
    const history = await api(server.url, 'GET', `/chats/${room}/messages`);
    expectSomeError(history, 'history while PostgreSQL is down');
    assert.equal(history.status, 500);

    for (let i = 1; i <= 3; i++) alice.send({ event_type: 'send', msg: `during ${i}`, client_id: `d${i}` });
    await waitUntil(() => of(alice, 'error').length === 3, 30_000, () => `errors: ${JSON.stringify(of(alice, 'error'))}`);
    for (const e of of(alice, 'error')) assert.equal((e.error as { code: number }).code, 500);
    assert.equal(of(alice, 'ack').length, 3, 'a send was acked while PostgreSQL was down');
    assert.equal(alice.ws.readyState, alice.ws.OPEN, 'the socket stays open');

    await db.start();
    const deadline = Date.now() + 30_000;
    while ((await readyz()).status !== 200) {
      assert.ok(Date.now() < deadline, 'the node did not become ready again');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The same socket goes on: a new message, and the resend of one that failed, each stored once.
    alice.send({ event_type: 'send', msg: 'after', client_id: 'r1' });
    alice.send({ event_type: 'send', msg: 'during 1', client_id: 'd1' });
    await waitUntil(() => of(alice, 'ack').length === 5, 15_000, () => `acks after: ${JSON.stringify(of(alice, 'ack'))}, errors ${of(alice, 'error').length}`);
    assert.equal(of(alice, 'error').length, 3, 'no error after the restart');

    const stored = await fullHistory(server.url, room);
    assertSeqRange(stored.map((m) => m.seq), 1, 5, 'history');
    assert.deepEqual(stored.map((m) => m.client_id), ['a1', 'a2', 'a3', 'r1', 'd1']);
    assert.deepEqual(of(alice, 'ack').map((e) => [e.client_id, e.seq]), stored.map((m) => [m.client_id, m.seq]));
    await waitUntil(() => of(bob, 'send').length === 5, 10_000, () => 'bob’s view');
    assert.deepEqual(of(bob, 'send').map(messageKey), stored.map(messageKey));
  });
});
