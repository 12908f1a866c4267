// SIGTERM with sends in flight (SPEC §6, docs/GUARANTEES.md "Drain"): every send the server read
// is stored and acked, or answered with an error, never stored without an ack and never acked and
// lost; /readyz says draining and new upgrades get 503 meanwhile; the process exits 0. It runs the
// built server, `node dist/main.js`, as `npm start` does: signals reach that process directly.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { api, connect, createRoom, joinAs, UpgradeRefused, type ChatClient } from '../helpers/chat.ts';
import { fullHistory, rawSocket } from '../helpers/delivery.ts';
import { builtUnavailable, startServer, type TestServer } from '../helpers/server.ts';

const servers: TestServer[] = [];
const open: ChatClient[] = [];
after(async () => {
  for (const c of open) c.ws.terminate();
  for (const s of servers) await s.dispose();
});

test('SIGTERM mid-burst: each send read is acked and stored, or refused; draining is visible; exit 0', { timeout: 120_000, skip: builtUnavailable() }, async (t) => {
  const server = await startServer({ built: true });
  servers.push(server);
  const room = (await createRoom(server.url, { title: 'Drain', visibility: 'public' })).id as number;
  const senders = await Promise.all(['s1', 's2', 's3', 's4'].map((n) => joinAs(server.wsUrl, room, n)));
  open.push(...senders);
  // A peer that does not read keeps the drain waiting for its close handshake (up to a second),
  // which leaves a window to watch /readyz and a new upgrade.
  const stalled = await joinAs(server.wsUrl, room, 'stalled');
  open.push(stalled);
  rawSocket(stalled).pause();

  const sent = new Map<string, string[]>(); // sender → client_ids sent, in order
  let stop = false;
  const pump = async (c: ChatClient, name: string) => {
    const ids: string[] = [];
    sent.set(name, ids);
    for (let i = 0; !stop && c.ws.readyState === c.ws.OPEN; i++) {
      for (let k = 0; k < 10; k++) {
        const id = `${name}-${i}-${k}`;
        ids.push(id);
        c.send({ event_type: 'send', msg: `message ${id}`, client_id: id });
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  const pumps = senders.map((c, i) => pump(c, `s${i + 1}`));
  await new Promise((r) => setTimeout(r, 300));

  const exited = new Promise<number | null>((res) => server.proc.once('exit', (code) => res(code)));
  server.proc.kill('SIGTERM');
  // Draining: not ready, and no new sockets.
  let ready = await api(server.url, 'GET', '/readyz');
  for (let i = 0; i < 50 && ready.status === 200; i++) ready = await api(server.url, 'GET', '/readyz');
  assert.equal(ready.status, 503, JSON.stringify(ready.body));
  assert.equal(ready.body.draining, true);
  await assert.rejects(connect(server.wsUrl, room), (err: unknown) => err instanceof UpgradeRefused && err.status === 503);

  const closes = await Promise.all(senders.map((c) => c.closed(15_000)));
  stop = true;
  await Promise.all(pumps);
  for (const c of closes) assert.equal(c.code, 1001);
  assert.equal(await exited, 0);

  // Read what was stored from a fresh process on the same data dir.
  const again = await startServer({ dataDir: server.dataDir, built: true });
  servers.push(again);
  const stored = await fullHistory(again.url, room);
  const storedIds = new Map(stored.map((m) => [m.client_id!, m]));
  let inFlight = 0;
  for (const [i, c] of senders.entries()) {
    const name = `s${i + 1}`;
    const acked = c.events.filter((e) => e.event_type === 'ack');
    const refused = c.events.filter((e) => e.event_type === 'error');
    const mine = stored.filter((m) => m.name === name);
    // Exactly the acked ones are stored, under the acked seq and id.
    assert.deepEqual(
      mine.map((m) => [m.client_id, m.seq, m.id]),
      acked.map((e) => [e.client_id, e.seq, e.id]),
      `${name}: stored messages and acks differ`,
    );
    for (const e of refused) assert.ok(!storedIds.has(e.client_id as string), `${name}: a refused send was stored`);
    const ids = sent.get(name)!;
    assert.deepEqual(
      acked.map((e) => e.client_id),
      ids.slice(0, acked.length),
      `${name}: acks are a prefix of what it sent, in order`,
    );
    inFlight += ids.length - acked.length;
  }
  t.diagnostic(`${stored.length} messages stored and acked; ${inFlight} sent but never read (the server stopped reading)`);
  assert.ok(stored.length > 0);
});
