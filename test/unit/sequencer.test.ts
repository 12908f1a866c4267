// The sequencer alone, against a stand-in socket and store: whatever order live events come in,
// with gaps, duplicates and a store that holds what the broker skipped, the socket is written
// each seq once, in order, and its own replies never overtake the messages before them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { WebSocket } from 'ws';
import type { RoomEvent } from '../../src/broker/broker.ts';
import type { StoredMessage } from '../../src/domain/message.ts';
import type { ChatContext } from '../../src/realtime/connection.ts';
import { Sequencer, type SequencedSocket } from '../../src/realtime/sequencer.ts';
import type { Page } from '../../src/store/store.ts';

const stored = (seq: number): StoredMessage =>
  ({ roomId: 1, seq, id: `m${seq}`, name: 'ann', color: '#123456', msg: `message ${seq}`, clientId: null, time: '2026-01-01T00:00:00.000Z' }) as StoredMessage;

/** What the socket was sent, in order: message seqs as numbers, other frames as their text. */
function rig(inStore: number | { upTo: number }, deleted: ReadonlySet<number> = new Set()) {
  const store = typeof inStore === 'number' ? { upTo: inStore } : inStore;
  const sent: (number | string)[] = [];
  const seqOf = (text: string) => (JSON.parse(text) as { seq: number }).seq;
  const ws = {
    bufferedAmount: 0,
    send(data: Buffer, _opts: unknown, cb: () => void) {
      sent.push(seqOf(data.toString()));
      cb();
    },
  } as unknown as WebSocket;
  const counter = { inc() {} };
  const ctx = {
    store: {
      async messages(_room: number, page: Page) {
        const from = (page.after ?? 0) + 1;
        const to = Math.min(store.upTo, (page.before ?? Infinity) - 1, from + page.limit - 1);
        const messages = [];
        // Deleted messages are left out of history pages, as the stores do.
        for (let s = from; s <= to; s++) if (!deleted.has(s)) messages.push(stored(s));
        return { messages, hasMore: to < Math.min(store.upTo, (page.before ?? Infinity) - 1) };
      },
    },
    metrics: { replayedMessages: counter, replaysDropped: counter },
    log: { warn() {}, error() {} },
    maxBufferedBytes: 1 << 20,
    replayStallMs: 30_000,
  } as unknown as ChatContext;
  let closed = false;
  const socket: SequencedSocket = {
    roomId: 1,
    address: '127.0.0.1',
    ctx,
    get isClosed() {
      return closed;
    },
    get isGone() {
      return closed;
    },
    deliver(event, frame) {
      // As Connection.deliver does after its filters.
      if (sequencer.accept(event, frame) && frame) sent.push(event.seq ?? frame.toString());
    },
    tooSlow() {
      closed = true;
    },
    close() {
      closed = true;
    },
    stalled() {
      closed = true;
    },
  };
  const sequencer = new Sequencer(ws, socket);
  const live = (seq: number): [RoomEvent, Buffer] => [{ data: '', seq }, Buffer.from(JSON.stringify({ seq }))];
  /** A frame for this socket alone, written as Connection.write does: behind what is held, or now. */
  const reply = (text: string) => {
    if (!sequencer.queue(Buffer.from(text))) sent.push(text);
  };
  return { sent, sequencer, socket, live, reply, isClosed: () => closed };
}

/** Lets every pending catch-up run to its end. */
const settle = () => new Promise((r) => setTimeout(r, 20));

test('a ?since replay writes what the store has, then the live events held meanwhile, each seq once', async () => {
  const { sent, sequencer, socket, live } = rig(7);
  sequencer.begin(2);
  // Live events arrive while the replay reads the store: 6 and 7 are in both; 8 is live only.
  const replaying = sequencer.replay();
  for (const seq of [6, 7, 8]) socket.deliver(...live(seq));
  assert.equal(sequencer.queue(Buffer.from('ack of 8')), true, 'a reply waits behind what is held');
  await replaying;
  await settle();
  assert.deepEqual(sent, [3, 4, 5, 6, 7, 8, 'ack of 8']);
  // Done: replies go straight out again.
  assert.equal(sequencer.queue(Buffer.from('later')), false);
});

test('live events late, early, twice or never, and deleted messages: each seq goes out once, in order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 40 }).chain((n) =>
        fc.record({
          n: fc.constant(n),
          // Per seq: how many steps after its write its live event arrives, and whether twice;
          // -1: never (the broker lost it).
          delays: fc.array(fc.integer({ min: -1, max: 6 }), { minLength: n, maxLength: n }),
          twice: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          deleted: fc.uniqueArray(fc.integer({ min: 1, max: n }), { maxLength: 5 }),
        }),
      ),
      async ({ n, delays, twice, deleted: gone }) => {
        // Deleted before this socket saw them: the store skips them and no live event brings them.
        const deleted = new Set(gone);
        const store = { upTo: 0 };
        const { sent, sequencer, socket, live, reply } = rig(store, deleted);
        sequencer.begin(0);
        await sequencer.replay();
        let newest = 0;
        for (let step = 1; step <= n + 6; step++) {
          store.upTo = Math.min(step, n); // stored first, published after (SPEC §4)
          for (let seq = 1; seq <= n; seq++) {
            if (deleted.has(seq) || delays[seq - 1] === -1 || seq + delays[seq - 1]! !== step) continue;
            socket.deliver(...live(seq));
            // The sender's ack follows its message's broadcast (SPEC §4); it must not overtake it.
            if (!twice[seq - 1]) reply(`ack ${seq}`);
            else socket.deliver(...live(seq));
            newest = Math.max(newest, seq);
          }
          await new Promise((r) => setImmediate(r));
        }
        await settle();
        const all = Array.from({ length: n }, (_, i) => i + 1).filter((s) => !deleted.has(s));
        // Every ack is out, once, after its message.
        const acks = sent.filter((x): x is string => typeof x === 'string');
        const acked = acks.map((a) => Number(a.slice(4)));
        assert.equal(new Set(acked).size, acks.length);
        assert.deepEqual([...acked].sort((a, b) => a - b), all.filter((s) => s <= n && delays[s - 1] !== -1 && !twice[s - 1]));
        for (const seq of acked) assert.ok(sent.indexOf(seq) < sent.indexOf(`ack ${seq}`), `ack ${seq} after message ${seq}`);
        // Everything up to the newest live event is out: a gap is filled as soon as it shows.
        assert.deepEqual(
          sent.filter((x) => typeof x === 'number'),
          all.filter((s) => s <= newest),
        );
        // After a broker outage the hub asks every socket to read the store for what was lost.
        sequencer.resync();
        await settle();
        assert.deepEqual(
          sent.filter((x) => typeof x === 'number'),
          all,
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('held live events beyond the socket budget close it as too slow', async () => {
  const { sequencer, socket, isClosed } = rig(0);
  sequencer.begin(0);
  const big = Buffer.alloc(600 * 1024);
  socket.deliver({ data: '', seq: 3 }, big); // a gap: held while the store is read
  assert.equal(isClosed(), false);
  socket.deliver({ data: '', seq: 4 }, big);
  assert.equal(isClosed(), true);
});
