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

  async search(roomId: number, q: SearchQuery): Promise<MessagePage> {
    const params: unknown[] = [roomId, q.limit + 1];
    const where = ['room_id = $1', 'NOT deleted', unexpired('$1')];
    if (q.before !== undefined) where.push(`seq < $${params.push(q.before)}`);
    // Long terms first: those are what the trigram index can find.
    const { long, short } = splitTerms(q.terms);
    for (const t of [...long, ...short]) where.push(`msg ILIKE $${params.push(likeSubstring(t))}`);
    const sql = `SELECT ${this.columns} FROM messages WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $2`;
    const rows = tidy(await this.rows<StoredMessage>(sql, params));
    const messages = rows.slice(0, q.limit);
    await this.withReactions(roomId, messages);
    return { messages, hasMore: rows.length > q.limit };
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
