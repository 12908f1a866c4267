// Two nodes, the hard way (docs/SCALING.md): fast-check schedules writers on both nodes, readers
// that reconnect with ?since at random moments to either node, and one SIGKILL of node B mid-run.
// Every acked message is stored under its acked seq and id, and every reader's view, merged across
// its connections, is the whole history: each message once, in seq order.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { connect, createRoom, joinAs, type ChatClient, type ServerEvent } from '../helpers/chat.ts';
import { assertSeqRange, fullHistory, waitUntil } from '../helpers/delivery.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { postgresSkip, redisSkip, sharedPlace } from '../helpers/services.ts';

const skip = (await postgresSkip()) ?? (await redisSkip());
const place = sharedPlace();
const { env } = place;

let a: TestServer;
let b: TestServer;
const started: TestServer[] = [];
const all: ChatClient[] = [];
const track = (c: ChatClient) => (all.push(c), c);
const sends = (c: ChatClient) => c.events.filter((e) => e.event_type === 'send');

/** A reader that never joins: it only listens, and reconnects with ?since=<last seq it saw>. */
class Reader {
  readonly conns: ChatClient[] = [];
  constructor(readonly room: number) {}
  lastSeq(): number {
    return (this.received().at(-1)?.seq as number | undefined) ?? 0;
  }
  received(): ServerEvent[] {
    return this.conns.flatMap(sends);
  }
  async connect(node: TestServer, abrupt = false): Promise<void> {
    const c = this.conns.at(-1);
    if (c && c.ws.readyState !== c.ws.CLOSED) {
      if (abrupt) c.ws.terminate();
      else c.close();
      await c.closed(10_000);
    }
    this.conns.push(track(await connect(node.wsUrl, this.room, { since: this.lastSeq() })));
  }
}

type Step =
  | { kind: 'send'; writer: number; n: number }
  | { kind: 'reconnect'; reader: number; toB: boolean; abrupt: boolean }
  | { kind: 'pause'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), writer: fc.nat(3), n: fc.integer({ min: 1, max: 15 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), reader: fc.nat(3), toB: fc.boolean(), abrupt: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 30 }) }) },
);

describe('two nodes, one killed mid-run', { skip }, () => {
  before(async () => {
    [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
    started.push(a, b);
  });
  after(async () => {
    for (const c of all) c.ws.terminate();
    await Promise.all(started.map((s) => s.dispose()));
    await place.drop();
  });

  test('every acked message reaches every reader once, in seq order', { timeout: 300_000 }, async (t) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 15, maxLength: 40 }), fc.nat(1000), async (steps, killAt) => {
        run++;
        if (b.proc.exitCode !== null || b.proc.signalCode !== null) started.push((b = await startServer({ env, port: b.port })));
        const room = (await createRoom(a.url, { title: `Hard way ${run} ${randomBytes(3).toString('hex')}`, visibility: 'public' })).id as number;
        // Writers 0, 1 on A and 2, 3 on B; a writer on the killed node is replaced by a new one on A
        // (its name stays held by the dead node until its heartbeat expires).
        const writers: { c: ChatClient; next: number }[] = [];
        for (let i = 0; i < 4; i++) writers.push({ c: track(await joinAs((i < 2 ? a : b).wsUrl, room, `w${i}`)), next: 0 });
        const readers = [0, 1, 2, 3].map(() => new Reader(room));
        for (const [i, r] of readers.entries()) await r.connect(i % 2 === 0 ? a : b);
        const retired: ChatClient[] = [];
        let killed = false;
        const kill = async () => {
          killed = true;
          await b.kill();
          for (const [i, w] of writers.entries()) {
            if (i < 2) continue;
            retired.push(w.c);
            writers[i] = { c: track(await joinAs(a.wsUrl, room, `w${i}-after`)), next: 0 };
          }
          for (const r of readers) if (r.conns.at(-1)!.ws.readyState !== WebSocket.OPEN) await r.connect(a);
        };
        const cut = killAt % (steps.length + 1);
        for (const [i, s] of steps.entries()) {
          if (i === cut) await kill();
          if (s.kind === 'send') {
            const w = writers[s.writer]!;
            for (let k = 0; k < s.n; k++) {
              if (w.c.ws.readyState !== WebSocket.OPEN) break;
              const id = `${s.writer}-${w.next++}`;
              w.c.send({ event_type: 'send', msg: `m ${id}`, client_id: id });
            }
          } else if (s.kind === 'reconnect') {
            await readers[s.reader]!.connect(s.toB && !killed ? b : a, s.abrupt);
          } else await new Promise((r) => setTimeout(r, s.ms));
        }
        if (!killed) await kill();

        // Live writers get every ack; then every reader catches up with the whole history.
        const acks = (c: ChatClient) => c.events.filter((e) => e.event_type === 'ack');
        await waitUntil(() => writers.every((w) => acks(w.c).length === w.next), 20_000, () => 'acks of the live writers');
        const history = await fullHistory(a.url, room);
        assertSeqRange(history.map((m) => m.seq), 1, history.length, 'history');
        await waitUntil(() => readers.every((r) => r.lastSeq() === history.length), 20_000, () => `readers at ${readers.map((r) => r.lastSeq())} of ${history.length}`);
        for (const r of readers) {
          assertSeqRange(r.received().map((e) => e.seq as number), 1, history.length, 'a reader’s merged view');
          assert.deepEqual(r.received().map((e) => e.id), history.map((m) => m.id));
        }
        const bySeq = new Map(history.map((m) => [m.seq, m]));
        for (const c of [...writers.map((w) => w.c), ...retired]) {
          for (const ack of acks(c)) {
            const m = bySeq.get(ack.seq as number);
            assert.ok(m && m.id === ack.id && m.client_id === ack.client_id, `acked ${JSON.stringify(ack)} is not stored as acked`);
          }
        }
        t.diagnostic(`run ${run}: ${history.length} messages, ${readers.reduce((n, r) => n + r.conns.length, 0)} reader connections, kill at step ${cut}`);
        for (const c of all) c.ws.terminate();
      }),
      { numRuns: 5, endOnFailure: true },
    );
  });
});
