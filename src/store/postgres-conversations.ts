// The PostgreSQL store's conversation reads and writes (SPEC §7): expiry, reactions, read
// positions, search (pg_trgm GIN index on msg) and the retention sweep.
import type pg from 'pg';
import type { StoredMessage } from '../domain/message.js';
import { nameKey } from '../domain/names.js';
import { LIMITS } from '../protocol/wire.js';
import { splitTerms } from './search.js';
import type { Expiry, MessagePage, ReactionResult, ReadResult, SearchQuery } from './store.js';

export const REPLY_COLUMNS = `CASE WHEN reply_id IS NULL THEN NULL
  ELSE json_build_object('id', reply_id, 'seq', reply_seq, 'name', reply_name, 'excerpt', reply_excerpt) END AS "replyTo", mentions`;

/** SQL: the message (of the room whose id is `room`) is younger than the room's retention. */
export const unexpired = (room: string) =>
  `created_at >= COALESCE(now() - make_interval(secs => (SELECT retention_seconds FROM rooms WHERE id = ${room})), '-infinity')`;

/** Rows in the shape the SQLite store returns: no replyTo or mentions keys when there are none. */
export function tidy(rows: StoredMessage[]): StoredMessage[] {
  for (const m of rows) {
    if (m.replyTo === null) delete m.replyTo;
    if (m.mentions === null) delete m.mentions;
  }
  return rows;
}

/** Rows read in seq order before a search turns to the trigram index. */
const RECENT_ROWS = 1024;
/** A fine search chunk holds 2^13 seqs of a room, a coarse one 2^17 (16 fine ones). */
const FINE_BITS = 13;
const COARSE_BITS = 17;
/** The messages_search index's keys of a message (migration 5): its room's fine and coarse chunk. */
export const SEARCH_CHUNKS = `ARRAY[(room_id::bigint << 32) | (seq >> ${FINE_BITS}), (room_id::bigint << 32) | (1::bigint << 31) | (seq >> ${COARSE_BITS})]`;
/** Three letters or digits in a row: a term pg_trgm can make a trigram of. */
const WORD_TRIGRAM = /[\p{L}\p{N}]{3}/u;

/**
 * Index keys for the seqs below `below` in groups, newest first: the fine chunks down to the
 * start of their coarse chunk, then coarse chunks; each group covers about twice the seqs of the
 * one before (the first is one fine chunk), so a search widens only as far as it must.
 */
export function* chunkGroups(roomId: number, below: number): Generator<string[]> {
  if (below <= 0) return;
  const room = BigInt(roomId) << 32n;
  const keys: [string, number][] = [];
  let fine = (below - 1) >> FINE_BITS;
  const coarse = (below - 1) >> COARSE_BITS;
  for (; fine >= coarse << (COARSE_BITS - FINE_BITS); fine--) keys.push([String(room | BigInt(fine)), 1 << FINE_BITS]);
  for (let c = coarse - 1; c >= 0; c--) keys.push([String(room | (1n << 31n) | BigInt(c)), 1 << COARSE_BITS]);
  let size = 1 << FINE_BITS;
  for (let i = 0; i < keys.length; size *= 2) {
    const group: string[] = [];
    let rows = 0;
    while (i < keys.length && (group.length === 0 || rows + keys[i]![1] <= size)) {
      rows += keys[i]![1];
      group.push(keys[i++]![0]);
    }
    yield group;
  }
}

/** ILIKE pattern for a substring: %, _ and the escape character itself are literal. */
const likeSubstring = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type Rows = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

export class PgConversations {
  constructor(
    private readonly rows: Rows,
    private readonly tx: Tx,
    private readonly columns: string,
  ) {}

  /** Fills in the reactions of read messages (all of one room), in one query. */
  async withReactions(roomId: number, messages: StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const bySeq = new Map(messages.map((m) => [m.seq, m]));
    const rows = await this.rows<{ seq: number; emoji: string; name: string }>(
      'SELECT seq, emoji, name FROM reactions WHERE room_id = $1 AND seq = ANY($2::int[]) ORDER BY id',
      [roomId, [...bySeq.keys()]],
    );
    for (const r of rows) ((bySeq.get(r.seq)!.reactions ??= {})[r.emoji] ??= []).push(r.name);
  }

  /**
   * Matches newest first, reading no further back than a page needs. First the newest
   * RECENT_ROWS rows in seq order (a page of a common word is there), then the trigram index in
   * chunks of seqs, newest first, each group twice the rows of the one before, until the page is
   * full. A trigram index alone would hand out every match in the room, in no order.
   */
  async search(roomId: number, q: SearchQuery): Promise<MessagePage> {
    const room = await this.rows<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [roomId]);
    if (!room[0]) return { messages: [], hasMore: false };
    const below = Math.min(q.before ?? Infinity, room[0].last_seq + 1);
    const want = q.limit + 1;
    // Long terms first: those are what the trigram index can find.
    const { long, short } = splitTerms(q.terms);
    const params: unknown[] = [roomId];
    const match = [...long, ...short].map((t) => `msg ILIKE $${params.push(likeSubstring(t))}`).join(' AND ');
    const live = `NOT deleted AND ${unexpired('$1')} AND ${match}`;
    // pg_trgm makes trigrams of letters and digits only: a term like "..." narrows nothing.
    const indexed = long.some((t) => WORD_TRIGRAM.test(t));
    const floor = indexed ? Math.max(0, below - RECENT_ROWS) : 0;
    const p = params.length;
    // The subquery reads its seq range newest first (OFFSET 0 keeps the match out of it, so the
    // planner cannot swap this bounded read for the trigram index).
    const found = await this.rows<StoredMessage>(
      `SELECT ${this.columns} FROM (SELECT * FROM messages WHERE room_id = $1 AND seq >= $${p + 1} AND seq < $${p + 2} ORDER BY seq DESC OFFSET 0) m
       WHERE ${live} ORDER BY seq DESC LIMIT $${p + 3}`,
      [...params, floor, below, want],
    );
    if (indexed) {
      for (const keys of chunkGroups(roomId, floor)) {
        if (found.length >= want) break;
        found.push(
          ...(await this.rows<StoredMessage>(
            `SELECT ${this.columns} FROM messages WHERE room_id = $1 AND ${SEARCH_CHUNKS} && $${p + 1}::bigint[] AND seq < $${p + 2}
             AND ${live} ORDER BY seq DESC LIMIT $${p + 3}`,
            [...params, keys, floor, want - found.length],
          )),
        );
      }
    }
    const messages = tidy(found).slice(0, q.limit);
    await this.withReactions(roomId, messages);
    return { messages, hasMore: found.length > q.limit };
  }

  async toggleReaction(roomId: number, id: string, emoji: string, name: string): Promise<ReactionResult> {
    const key = nameKey(name);
    return this.tx(async (c) => {
      // The message's row lock serializes toggles of one message across nodes (the 20 limit).
      const found = await c.query<StoredMessage>(
        `SELECT ${this.columns} FROM messages WHERE room_id = $1 AND id = $2 AND NOT deleted AND ${unexpired('$1')} FOR UPDATE`,
        [roomId, id],
      );
      const message = tidy(found.rows)[0];
      if (!message) return { ok: false, reason: 'not_found' };
      const removed = await c.query('DELETE FROM reactions WHERE room_id = $1 AND seq = $2 AND emoji = $3 AND name_key = $4', [
        roomId,
        message.seq,
        emoji,
        key,
      ]);
      if ((removed.rowCount ?? 0) > 0) return { ok: true, on: false, message };
      const counts = await c.query<{ n: number; here: boolean }>(
        'SELECT count(DISTINCT emoji)::int AS n, coalesce(bool_or(emoji = $3), false) AS here FROM reactions WHERE room_id = $1 AND seq = $2',
        [roomId, message.seq, emoji],
      );
      const { n, here } = counts.rows[0]!;
      if (!here && n >= LIMITS.reactionsPerMessage) return { ok: false, reason: 'too_many' };
      await c.query('INSERT INTO reactions (room_id, seq, emoji, name_key, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        roomId,
        message.seq,
        emoji,
        key,
        name,
        new Date().toISOString(),
      ]);
      return { ok: true, on: true, message };
    });
  }

  async setReadPosition(roomId: number, name: string, seq: number): Promise<ReadResult> {
    // One statement: the room's last_seq bounds it, and the update only ever moves forward.
    const rows = await this.rows<{ moved: boolean | null; last_seq: number }>(
      `WITH room AS (SELECT last_seq FROM rooms WHERE id = $1),
         up AS (
           INSERT INTO read_positions (room_id, name_key, name, seq, updated_at)
           SELECT $1, $2, $3, $4, $5 FROM room WHERE room.last_seq >= $4
           ON CONFLICT (room_id, name_key) DO UPDATE SET seq = excluded.seq, name = excluded.name, updated_at = excluded.updated_at
             WHERE read_positions.seq < excluded.seq
           RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM up) AS moved, last_seq FROM room`,
      [roomId, nameKey(name), name, seq, new Date().toISOString()],
    );
    const row = rows[0];
    if (!row || seq > row.last_seq) return 'beyond';
    return row.moved ? 'moved' : 'unchanged';
  }

  async readPositions(roomId: number): Promise<Map<string, number>> {
    const rows = await this.rows<{ name_key: string; seq: number }>('SELECT name_key, seq FROM read_positions WHERE room_id = $1', [roomId]);
    return new Map(rows.map((r) => [r.name_key, r.seq]));
  }

  async deleteExpired(roomIds: readonly number[]): Promise<Expiry[]> {
    await this.rows(
      `DELETE FROM messages m USING rooms r
       WHERE m.room_id = r.id AND r.retention_seconds IS NOT NULL AND m.created_at < now() - make_interval(secs => r.retention_seconds)`,
    );
    if (roomIds.length === 0) return [];
    const rows = await this.rows<{ id: number; through: number }>(
      `SELECT r.id, COALESCE((SELECT min(seq) - 1 FROM messages WHERE room_id = r.id), r.last_seq) AS through
       FROM rooms r WHERE r.id = ANY($1::int[]) AND r.retention_seconds IS NOT NULL`,
      [roomIds],
    );
    return rows.map((r) => ({ roomId: r.id, throughSeq: r.through }));
  }
}
