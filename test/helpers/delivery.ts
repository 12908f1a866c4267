// Helpers for the delivery-guarantee tests (test/integration/delivery-*.test.ts): a chat
// participant that survives reconnects, full history reads, and Prometheus metric reads.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { ChatMessage } from '../../src/protocol/wire.ts';
import { api, connect, type ChatClient, type ServerEvent } from './chat.ts';

/** A stored message as history pages carry it: the wire protocol's own type. */
export type StoredJson = { event_type: 'send' } & ChatMessage;

/** Reads a room's whole history through GET /chats/:room/messages, oldest first, page by page. */
export async function fullHistory(baseUrl: string, room: number | string, pageSize = 200): Promise<StoredJson[]> {
  const all: StoredJson[] = [];
  let after = 0;
  for (;;) {
    const r = await api<{ messages: StoredJson[]; has_more: boolean }>(
      baseUrl,
      'GET',
      `/chats/${encodeURIComponent(String(room))}/messages?after=${after}&limit=${pageSize}`,
    );
    assert.equal(r.status, 200, `history read failed: ${JSON.stringify(r.body)}`);
    all.push(...r.body.messages);
    if (!r.body.has_more) return all;
    assert.ok(r.body.messages.length > 0, 'has_more with an empty page');
    after = r.body.messages.at(-1)!.seq;
  }
}

/** Reads the history backwards with `before`, to check both directions agree. */
export async function fullHistoryBackwards(baseUrl: string, room: number, pageSize: number): Promise<StoredJson[]> {
  const pages: StoredJson[][] = [];
  let r = await api<{ messages: StoredJson[]; has_more: boolean }>(baseUrl, 'GET', `/chats/${room}/messages?limit=${pageSize}`);
  for (;;) {
    assert.equal(r.status, 200);
    pages.unshift(r.body.messages);
    if (!r.body.has_more) return pages.flat();
    const before = r.body.messages[0]!.seq;
    r = await api(baseUrl, 'GET', `/chats/${room}/messages?before=${before}&limit=${pageSize}`);
  }
}

/** Asserts that a list of seqs is exactly from..to, one each, ascending. */
export function assertSeqRange(seqs: number[], from: number, to: number, what: string): void {
  const expected = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  if (seqs.length === expected.length && seqs.every((s, i) => s === expected[i])) return;
  // Name the first difference: a full deepEqual diff of thousands of numbers is unreadable.
  const i = seqs.findIndex((s, k) => s !== expected[k]);
  const at = i === -1 ? Math.min(seqs.length, expected.length) : i;
  assert.fail(
    `${what}: expected seqs ${from}..${to} (${expected.length}), got ${seqs.length}; first difference at index ${at}: ` +
      `got ${JSON.stringify(seqs.slice(Math.max(0, at - 3), at + 4))}, expected ${JSON.stringify(expected.slice(Math.max(0, at - 3), at + 4))}`,
  );
}

/** The fields a received `send` event and its stored copy must agree on. */
export const messageKey = (m: StoredJson | ServerEvent) => ({
  id: m.id,
  seq: m.seq,
  name: m.name,
  color: m.color,
  msg: m.msg,
  time: m.time,
  room_id: m.room_id,
  client_id: m.client_id,
});

/** Polls `check` until it returns true; fails with `describe()` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Reads one sample of a metric from GET /metrics (e.g. `chitchat_store_batch_messages_bucket{le="1"}`). */
export async function metric(baseUrl: string, sample: string): Promise<number> {
  const r = await fetch(`${baseUrl}/metrics`);
  assert.equal(r.status, 200);
  const text = await r.text();
  for (const line of text.split('\n')) {
    if (line.startsWith(sample + ' ')) return Number(line.slice(sample.length + 1));
  }
  assert.fail(`metric ${sample} not found`);
}

/** The raw TCP socket under a ws client: pausing it stops reading, as a stalled peer would. */
export function rawSocket(client: ChatClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

export interface SentMessage {
  clientId: string | null;
  msg: string;
}

/**
 * One chat user across several connections: every connection after the first asks for
 * `?since=<seq of the last message this user received>`, and unacknowledged messages are sent
 * again with their client_id, as a real client does after a reconnect.
 */
export class Participant {
  /** Every connection this user had, oldest first; only the last may be open. */
  readonly conns: ChatClient[] = [];
  /** Everything this user sent with a client_id, by client_id (resends do not add entries). */
  readonly sent = new Map<string, SentMessage>();
  /** Sends without client_id, per connection index: acks to them carry no client_id. */
  readonly anonymous = new Map<number, string[]>();
  /** Frames sent with a client_id (first sends and repeats), per connection index: each gets one ack. */
  readonly withId = new Map<number, number>();

  constructor(
    private readonly wsUrl: string,
    private readonly room: number,
    readonly name: string,
  ) {}

  get current(): ChatClient {
    const c = this.conns.at(-1);
    assert.ok(c, `${this.name} never connected`);
    return c;
  }

  /** `send` events received, merged across connections in arrival order. */
  received(): ServerEvent[] {
    return this.conns.flatMap((c) => c.events.filter((e) => e.event_type === 'send'));
  }

  lastSeq(): number {
    let last = 0;
    for (const c of this.conns) {
      for (const e of c.events) if (e.event_type === 'send') last = e.seq as number;
    }
    return last;
  }

  acks(): ServerEvent[] {
    return this.conns.flatMap((c) => c.events.filter((e) => e.event_type === 'ack'));
  }

  unacked(): string[] {
    const acked = new Set(this.acks().map((a) => a.client_id as string | undefined));
    return [...this.sent.keys()].filter((id) => !acked.has(id));
  }

  /** Connects with ?since=lastSeq and joins; retries while the server still holds the old socket's name. */
  async connect(): Promise<ChatClient> {
    for (let attempt = 0; ; attempt++) {
      const c = await connect(this.wsUrl, this.room, { since: this.lastSeq() });
      this.conns.push(c);
      c.send({ event_type: 'join', name: this.name, color: '#336699' });
      // The presence answer comes after the ?since replay, which may be long.
      await c.next((e) => e.event_type === 'presence' || e.event_type === 'error', 30_000);
      const refused = c.events.find((e) => e.event_type === 'error');
      if (!refused) break;
      // 202: the server has not yet processed the previous socket's close. Its replay is kept
      // in this user's view (it is a real connection); the next one continues from it.
      assert.equal((refused.error as { code: number }).code, 202, JSON.stringify(refused));
      assert.ok(attempt < 100, `${this.name} could not rejoin`);
      await this.disconnect(false);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const id of this.unacked()) this.resend(id);
    return this.current;
  }

  /** Closes the open connection (gracefully or by dropping TCP) and waits until it is closed. */
  async disconnect(abrupt: boolean): Promise<void> {
    const c = this.current;
    if (c.ws.readyState === c.ws.CLOSED) return;
    if (abrupt) c.ws.terminate();
    else c.close();
    await c.closed(10_000);
  }

  send(clientId: string | null, msg: string): void {
    if (clientId === null) {
      const i = this.conns.length - 1;
      this.anonymous.set(i, [...(this.anonymous.get(i) ?? []), msg]);
    } else {
      assert.ok(!this.sent.has(clientId), `client_id ${clientId} reused for a new message`);
      this.sent.set(clientId, { clientId, msg });
      this.countWithId();
    }
    this.current.send({ event_type: 'send', msg, ...(clientId !== null && { client_id: clientId }) });
  }

  /** Sends an already-sent message again with the same client_id. */
  resend(clientId: string): void {
    const m = this.sent.get(clientId);
    assert.ok(m, `unknown client_id ${clientId}`);
    if (this.current.ws.readyState !== this.current.ws.OPEN) return;
    this.countWithId();
    this.current.send({ event_type: 'send', msg: m.msg, client_id: clientId });
  }

  private countWithId(): void {
    const i = this.conns.length - 1;
    this.withId.set(i, (this.withId.get(i) ?? 0) + 1);
  }
}

/**
 * A TCP proxy to `targetPort` whose server → client direction carries at most `bytesPerSecond`:
 * a client on a slow link that still reads everything it is sent.
 */
export async function throttledProxy(targetPort: number, bytesPerSecond: number): Promise<{ port: number; close(): void }> {
  const { createServer, connect: tcpConnect } = await import('node:net');
  const open = new Set<Socket>();
  const server = createServer((down) => {
    const up = tcpConnect(targetPort, '127.0.0.1');
    open.add(down).add(up);
    down.pipe(up);
    up.on('data', (chunk: Buffer) => {
      down.write(chunk);
      up.pause();
      setTimeout(() => up.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    up.on('end', () => down.end());
    const cut = () => (up.destroy(), down.destroy());
    up.on('error', cut).on('close', cut);
    down.on('error', cut).on('close', cut);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close() {
      for (const s of open) s.destroy();
      server.close();
    },
  };
}
