// Hostile input for the live fuzz tests (test/integration/reliability-hostile*.test.ts): fast-check
// arbitraries for WebSocket frames, REST requests and upgrade requests, a read-only view of the
// server's SQLite file to prove refused input changed nothing, and the server log's error lines.
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';

/** Values of every JSON type and then some: wrong types, huge numbers, prototype keys, long text. */
export const weird = (ids: () => string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates included
    fc.constantFrom('', ' ', '\u0000', '#fff', '#GGGGGG', '#336699', 'red', '__proto__', 'constructor', '‮evil', 'a'.repeat(4001), 'b'.repeat(70)),
    fc.integer(),
    fc.double(),
    fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 2 ** 31, -1),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.nat().map((i) => ids()[i % Math.max(1, ids().length)] ?? 'no-such-id'),
    fc.uuid(),
  );

/** JSON texts a parser may choke on: numbers beyond doubles, deep nesting, odd keys. */
const RAW_JSON = [
  '{"event_type":"send","msg":"hi","client_id":1e999}',
  '{"event_type":"edit","id":"x","msg":123456789012345678901234567890123456789}',
  '{"event_type":"send","msg":"x","color":-1e-999}',
  '{"event_type":"join","name":"n","color":"#336699","event_type":"send"}',
  '{"__proto__":{"event_type":"send","msg":"polluted"}}',
  '{"constructor":{"prototype":{"isAdmin":true}},"event_type":"join"}',
  `${'['.repeat(20000)}${']'.repeat(20000)}`,
  `{"event_type":"send","msg":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
  '\u0000{"event_type":"send"}',
  '{"event_type":"send","msg":"\\ud800"}',
  'null',
  '[]',
  '"send"',
  '1e400',
];

export type Frame =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'badutf8'; data: Uint8Array }
  | { kind: 'huge' };

const EVENT_TYPES = ['join', 'send', 'leave', 'typing', 'edit', 'delete', 'react', 'read', 'token', 'ack', 'presence', '__proto__', 'constructor', 'toString', 'SEND', ''];

export const frame = (ids: () => string[]): fc.Arbitrary<Frame> => {
  const v = weird(ids);
  const action = fc
    .record(
      { event_type: fc.oneof(fc.constantFrom(...EVENT_TYPES), v), name: v, color: v, msg: v, client_id: v, id: v, since: v, seq: v },
      { requiredKeys: [] },
    )
    .map((o) => ({ kind: 'text' as const, data: JSON.stringify(o) }));
  return fc.oneof(
    { weight: 12, arbitrary: action },
    { weight: 3, arbitrary: fc.json({ maxDepth: 3 }).map((data) => ({ kind: 'text' as const, data })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((data) => ({ kind: 'text' as const, data })) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_JSON).map((data) => ({ kind: 'text' as const, data })) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data) => ({ kind: 'binary' as const, data })) },
    // Text frames that are not UTF-8: the server must close with 1007.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((b) => ({ kind: 'badutf8' as const, data: Uint8Array.from([...b, 0xff, 0xc3]) })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'huge' as const }) },
  );
};

/** A read-only view of a test server's SQLite file. */
export class StoreView {
  private readonly db: Database.Database;
  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'chitchat.db'), { readonly: true, fileMustExist: true });
  }
  /** Everything REST can change, as one comparable string. */
  snapshot(): string {
    const rooms = this.db.prepare('SELECT id, title, title_key, description, visibility, password_hash, owner_key_hash, token_gen, last_seq FROM rooms ORDER BY id').all();
    const bans = this.db.prepare('SELECT room_id, name_key FROM bans ORDER BY room_id, name_key').all();
    const messages = this.db.prepare('SELECT count(*) AS n, coalesce(sum(deleted), 0) AS d FROM messages').get();
    return JSON.stringify({ rooms, bans, messages });
  }
  roomCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM rooms').get() as { n: number }).n;
  }
  close(): void {
    this.db.close();
  }
}

/** pino lines at level error (50) or fatal (60) in a server's output. */
export function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    if (!line.startsWith('{')) return false;
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}

export function assertNoErrorLines(output: string): void {
  const lines = errorLines(output);
  assert.deepEqual(lines.slice(0, 5), [], `${lines.length} error-level log lines`);
}

/**
 * Sends one raw upgrade request and resolves with the response's status code, or null when the
 * server closed the connection without answering.
 */
export function rawUpgrade(port: number, request: string | Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to an upgrade request within 10 s: ${JSON.stringify(request.toString().slice(0, 300))}`));
    }, 10_000);
    const done = (status: number | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const line = head.indexOf('\r\n');
      if (line >= 0) done(Number(/^HTTP\/1\.1 (\d{3})/.exec(head.slice(0, line))?.[1] ?? -1));
    });
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
    socket.write(request);
  });
}
