// A reconnect storm (issue 8 §3): `clients` sockets in `rooms` rooms on node B while senders on
// node A keep `rate` messages a second flowing; node B restarts; every client reconnects to A
// with ?since=<last seq it saw> within `reconnectWithinMs` of its close. Shared by the small
// version in the tests (test/integration/reliability-storm.test.ts) and the bench (bench/storm.ts).
//
// Rooms and senders go through the SDK (chitchat/client), as any integration would. The storm's
// clients stay raw `ws` sockets: what is measured is a client that switches to the other node at a
// chosen moment, which the SDK (it reconnects to the server it was given) does not do.
import WebSocket from 'ws';
import { ChitChat } from '../../src/client/index.js';
import { Histogram, type LatencySummary } from './histogram.js';

export interface StormNode {
  url: string;
  wsUrl: string;
}

export interface StormOptions {
  a: StormNode;
  b: StormNode;
  /** Restarts node B (its sockets close); resolves when it is back. */
  restartB(): Promise<void>;
  clients: number;
  rooms: number;
  /** Messages per second, in all, sent on node A. */
  rate: number;
  /** Traffic before the restart and after the last reconnect, ms. */
  settleMs: number;
  /** Each client reconnects at a random moment within this long after its close, ms. */
  reconnectWithinMs: number;
  /** Called now and then while the storm runs (e.g. to sample memory). */
  onTick?(): void;
}

export interface StormResult {
  clients: number;
  rooms: number;
  messages: number;
  reconnected: number;
  /** From a client's close to the moment it holds every message stored before it reconnected. */
  recovery: LatencySummary;
  /** The same from its reconnect attempt (leaves out the random wait of up to reconnectWithinMs). */
  recoveryFromReconnect: LatencySummary;
  gaps: number;
  duplicates: number;
  /** Close codes seen by clients, with counts (B's restart: 1001; 1013 only for one that fell behind). */
  closes: Record<string, number>;
  /** Clients that did not hold every message at the end. */
  unrecovered: number;
}

interface Client {
  room: number;
  last: number;
  ws: WebSocket | null;
  closedAt: number;
  reconnectAt: number;
  /** The room's newest acked seq when the client reconnected: recovered once it has that one. */
  target: number;
  recovered: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a socket; `setup` attaches handlers before any frame can arrive (a replay follows the 101 at once). */
function open(url: string, setup: (ws: WebSocket) => void = () => {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    setup(ws);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function runStorm(o: StormOptions): Promise<StormResult> {
  const tag = Math.random().toString(36).slice(2, 8);
  const chat = new ChitChat({ url: o.a.url });
  const rooms: number[] = [];
  for (let i = 0; i < o.rooms; i++) rooms.push((await chat.createRoom({ title: `Storm ${tag} ${i}` })).id);
  const latest = new Map<number, number>(rooms.map((r) => [r, 0]));
  const closes: Record<string, number> = {};
  let gaps = 0;
  let duplicates = 0;
  const recovery = new Histogram();
  const fromReconnect = new Histogram();
  const recovered = (c: Client) => {
    c.recovered = true;
    recovery.record(performance.now() - c.closedAt);
    fromReconnect.record(performance.now() - c.reconnectAt);
  };

  // One sender per room on node A; its acks tell the room's newest seq.
  const senders = await Promise.all(rooms.map((room) => chat.connect(room, { name: `sender-${tag}`, color: '#336699' })));
  const send = (i: number, msg: string) => {
    const room = rooms[i]!;
    // A send that is never acked leaves the room's newest seq short: the final wait shows it.
    senders[i]!.send(msg).then((ack) => latest.set(room, Math.max(latest.get(room)!, ack.seq)), () => {});
  };
  let sending = true;
  let sent = 0;
  const pump = (async () => {
    const tickMs = 20;
    let owed = 0;
    for (let turn = 0; sending; turn++) {
      owed += (o.rate * tickMs) / 1000;
      for (; owed >= 1; owed--) send(sent % senders.length, `storm ${++sent}`);
      if (turn % 25 === 0) o.onTick?.();
      await sleep(tickMs);
    }
  })();

  const clients: Client[] = Array.from({ length: o.clients }, (_, i) => ({ room: rooms[i % rooms.length]!, last: 0, ws: null, closedAt: 0, reconnectAt: 0, target: 0, recovered: true }));
  const attach = async (c: Client, node: StormNode) => {
    await open(`${node.wsUrl}/chats/${c.room}/ws?since=${c.last}`, (ws) => {
      c.ws = ws;
      ws.on('message', (d) => onMessage(c, d.toString()));
      ws.once('close', (code) => onClose(c, ws, code));
    });
    // Nothing stored since its close: it holds everything already.
    if (!c.recovered && c.last >= c.target) recovered(c);
  };
  const onMessage = (c: Client, data: string) => {
    const e = JSON.parse(data) as { event_type: string; seq?: number };
    if (e.event_type !== 'send') return;
    if (e.seq! <= c.last) duplicates++;
    else if (e.seq! > c.last + 1) gaps++;
    c.last = Math.max(c.last, e.seq!);
    if (!c.recovered && c.last >= c.target) recovered(c);
  };
  const onClose = (c: Client, ws: WebSocket, code: number) => {
    closes[code] = (closes[code] ?? 0) + 1;
    if (c.ws !== ws || !sending) return;
    c.ws = null;
    c.closedAt = performance.now();
    c.recovered = false;
    // As a client behind a load balancer would: soon, to the node that is up, with ?since.
    setTimeout(() => {
      c.target = latest.get(c.room)!;
      c.reconnectAt = performance.now();
      attach(c, o.a).catch(() => (c.ws = null));
    }, Math.random() * o.reconnectWithinMs);
  };
  for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => attach(c, o.b)));

  await sleep(o.settleMs);
  await o.restartB();
  const deadline = Date.now() + 30_000;
  while (clients.some((c) => !c.recovered || c.ws === null) && Date.now() < deadline) await sleep(50);
  await sleep(o.settleMs);
  sending = false;
  await pump;
  // Everything sent is acked before the final check.
  const sendersDone = Date.now() + 15_000;
  while (Date.now() < sendersDone && [...latest.values()].reduce((n, s) => n + s, 0) < sent) await sleep(50);
  const waitAll = Date.now() + 15_000;
  while (Date.now() < waitAll && clients.some((c) => c.last < latest.get(c.room)!)) await sleep(50);
  const result: StormResult = {
    clients: o.clients,
    rooms: o.rooms,
    messages: sent,
    reconnected: recovery.count,
    recovery: recovery.summary(),
    recoveryFromReconnect: fromReconnect.summary(),
    gaps,
    duplicates,
    // A copy: the clients' own closes below, after the storm, are not part of it.
    closes: { ...closes },
    unrecovered: clients.filter((c) => c.last < latest.get(c.room)! || !c.recovered).length,
  };
  for (const c of clients) c.ws?.terminate();
  await Promise.all(senders.map((s) => s.close()));
  return result;
}
