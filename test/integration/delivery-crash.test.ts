// Durability (SPEC §4 `ack`): an ack means the message is on disk. A burst from several sockets,
// SIGKILL mid-burst, restart on the same data dir, five times over: every acked message is in
// the history with the seq its ack named, seqs stay 1..N with no hole, nothing is stored twice,
// and resending the unacked ones (same client_id) stores each exactly once.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRoom, joinAs, type ChatClient } from '../helpers/chat.ts';
import { assertSeqRange, fullHistory, waitUntil, type StoredJson } from '../helpers/delivery.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
after(async () => {
  await server?.dispose();
});

const CYCLES = 5;
const SOCKETS = 4;
/** Messages per second offered by all sockets together; a timer that fires late sends more. */
const RATE = 2500;
const TICK_MS = 5;
/**
 * Unacked messages allowed in flight: on a loaded machine the server may ack fewer than RATE per
 * second, and an unbounded backlog would only make the resend phase slow, not the test stronger.
 */
const MAX_IN_FLIGHT = 2000;

interface Ack {
  id: string;
  seq: number;
}

test('every acknowledged message survives SIGKILL mid-burst; seqs stay 1..N; nothing is stored twice', { timeout: 120_000 }, async (t) => {
  server = await startServer();
  const room = (await createRoom(server.url, { title: 'Crash', visibility: 'public' })).id as number;
  /** client_id → what its ack said, for every ack ever received. */
  const acked = new Map<string, Ack>();
  const sent = new Set<string>();
  let history: StoredJson[] = [];

  const checkHistory = (when: string) => {
    assertSeqRange(history.map((m) => m.seq), 1, history.length, `history ${when}`);
    const seen = new Set<string>();
    for (const m of history) {
      assert.ok(m.client_id !== undefined && sent.has(m.client_id), `${when}: stored message ${m.seq} was never sent`);
      assert.ok(!seen.has(m.client_id), `${when}: client_id ${m.client_id} stored twice`);
      seen.add(m.client_id);
    }
    const byId = new Map(history.map((m) => [m.client_id!, m]));
    for (const [id, ack] of acked) {
      const m = byId.get(id);
      assert.ok(m, `${when}: acked message ${id} (seq ${ack.seq}) is missing`);
      assert.deepEqual({ id: m.id, seq: m.seq }, ack, `${when}: acked message ${id} changed`);
    }
  };
  const recordAcks = (c: ChatClient) => {
    c.ws.on('message', (data) => {
      const e = JSON.parse(data.toString()) as { event_type: string; client_id?: string; id: string; seq: number };
      if (e.event_type !== 'ack' || e.client_id === undefined) return;
      const before = acked.get(e.client_id);
      // A repeated client_id is acked with the id and seq it was first stored with.
      if (before) assert.deepEqual({ id: e.id, seq: e.seq }, before, `re-ack of ${e.client_id}`);
      acked.set(e.client_id, { id: e.id, seq: e.seq });
    });
  };

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const clients = await Promise.all(
      Array.from({ length: SOCKETS }, (_, i) => joinAs(server!.wsUrl, room, `c${cycle}s${i}`)),
    );
    clients.forEach(recordAcks);
    const ackedBefore = acked.size;
    const killAfter = 200 + Math.floor(Math.random() * 800);
    let n = 0;
    const started = Date.now();
    let killedAt = 0;
    const live = server;
    const burst = setInterval(() => {
      const due = Math.ceil(((Date.now() - started) * RATE) / 1000);
      while (n < due && n - (acked.size - ackedBefore) < MAX_IN_FLIGHT) {
        const i = n % SOCKETS;
        const c = clients[i]!;
        if (c.ws.readyState !== c.ws.OPEN) break;
        const id = `${cycle}-${i}-${++n}`;
        sent.add(id);
        c.send({ event_type: 'send', msg: `burst ${id}`, client_id: id });
      }
      // SIGKILL once enough acks came back, while every socket is still sending.
      if (killedAt === 0 && acked.size - ackedBefore >= killAfter) {
        killedAt = Date.now();
        void live.kill();
      }
    }, TICK_MS);
    try {
      await waitUntil(() => killedAt !== 0, 30_000, () => `only ${acked.size - ackedBefore} acks in cycle ${cycle}`);
      await Promise.all(clients.map((c) => c.closed(10_000)));
    } finally {
      clearInterval(burst);
    }
    const ackedNow = acked.size - ackedBefore;
    const ms = Math.max(1, killedAt - started);
    t.diagnostic(
      `cycle ${cycle}: SIGKILL after ${ms} ms; sent ${n} (${Math.round((n * 1000) / ms)}/s), ` +
        `acked ${ackedNow} (${Math.round((ackedNow * 1000) / ms)}/s)`,
    );

    server = await server.restart();
    history = await fullHistory(server.url, room);
    checkHistory(`after crash ${cycle + 1}`);

    // The client resends what it never got an ack for; each is stored exactly once, and one that
    // was stored before the crash is acked with its stored seq.
    const storedSeq = new Map(history.map((m) => [m.client_id!, m.seq]));
    const unacked = [...sent].filter((id) => !acked.has(id));
    // A client_id is its sender's, so each sender comes back under its own name to resend.
    const retries = await Promise.all(
      Array.from({ length: SOCKETS }, (_, i) => joinAs(server!.wsUrl, room, `c${cycle}s${i}`)),
    );
    retries.forEach(recordAcks);
    for (const id of unacked) {
      const sender = Number(id.split('-')[1]);
      retries[sender]!.send({ event_type: 'send', msg: `burst ${id}`, client_id: id });
    }
    await waitUntil(() => unacked.every((id) => acked.has(id)), 20_000, () => 'resends not acked');
    for (const id of unacked) {
      const seq = storedSeq.get(id);
      if (seq !== undefined) assert.equal(acked.get(id)!.seq, seq, `resent ${id} got a new seq`);
    }
    for (const r of retries) r.ws.terminate();
    history = await fullHistory(server.url, room);
    checkHistory(`after resending in cycle ${cycle + 1}`);
    assert.equal(history.length, sent.size, 'every message sent is stored exactly once');
  }
  t.diagnostic(`${history.length} messages stored over ${CYCLES} crashes`);
});
