// The SQLite store's conversation reads and writes (SPEC §7): expiry, reactions, read positions,
// search and the retention sweep. Runs on the main connection; appends stay on the writer thread.
import type Database from 'better-sqlite3';
import type { StoredMessage } from '../domain/message.js';
import { nameKey } from '../domain/names.js';
import { LIMITS } from '../protocol/wire.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './sqlite-append.js';
import type { Expiry, MessagePage, ReactionResult, ReadResult, SearchQuery } from './store.js';
import { containsAll, splitTerms } from './search.js';

const ROOM_SHIFT = 2 ** 32;
/** Rows read from the index per round when short terms filter what it found. */
const SEARCH_CHUNK = 200;

export class SqliteConversations {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      retention: db.prepare<[number], { retention_seconds: number | null; last_seq: number }>(
        'SELECT retention_seconds, last_seq FROM rooms WHERE id = ?',
      ),
      reactionsOf: db.prepare<[number, string], { seq: number; emoji: string; name: string }>(
        'SELECT seq, emoji, name FROM reactions WHERE room_id = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY rowid',
      ),
      liveMessage: db.prepare<[number, string, string], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND id = ? AND deleted = 0 AND created_at >= ?`,
      ),
      hasReaction: db.prepare<[number, number, string, string], { one: number }>(
        'SELECT 1 AS one FROM reactions WHERE room_id = ? AND seq = ? AND emoji = ? AND name_key = ?',
      ),
      unreact: db.prepare<[number, number, string, string]>('DELETE FROM reactions WHERE room_id = ? AND seq = ? AND emoji = ? AND name_key = ?'),
      emojis: db.prepare<[string, number, number], { n: number; here: number | null }>(
        'SELECT count(DISTINCT emoji) AS n, max(emoji = ?) AS here FROM reactions WHERE room_id = ? AND seq = ?',
      ),
      react: db.prepare<[number, number, string, string, string, string]>(
        'INSERT INTO reactions (room_id, seq, emoji, name_key, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      read: db.prepare<[number, string, string, number, string], { seq: number }>(
        `INSERT INTO read_positions (room_id, name_key, name, seq, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (room_id, name_key) DO UPDATE SET seq = excluded.seq, name = excluded.name, updated_at = excluded.updated_at
         WHERE excluded.seq > read_positions.seq RETURNING seq`,
      ),
      reads: db.prepare<[number], { name_key: string; seq: number }>('SELECT name_key, seq FROM read_positions WHERE room_id = ?'),
      search: db.prepare<[{ match: string; room: number; before: number; cutoff: string; limit: number }], MessageRow>(
        // CROSS JOIN keeps the index outer, so rows come newest first and LIMIT stops the scan early.
        `SELECT ${MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}
         FROM messages_fts f CROSS JOIN messages m ON m.room_id = @room AND m.seq = f.rowid - (@room << 32)
         WHERE messages_fts MATCH @match AND f.rowid > (@room << 32) AND f.rowid < (@room << 32) + @before
           AND m.deleted = 0 AND m.created_at >= @cutoff
         ORDER BY f.rowid DESC LIMIT @limit`,
      ),
      retained: db.prepare<[], { id: number; retention_seconds: number; last_seq: number }>(
        'SELECT id, retention_seconds, last_seq FROM rooms WHERE retention_seconds IS NOT NULL',
      ),
      expire: db.prepare<[number, string]>('DELETE FROM messages WHERE room_id = ? AND created_at < ?'),
      oldest: db.prepare<[number], { seq: number }>('SELECT seq FROM messages WHERE room_id = ? ORDER BY seq LIMIT 1'),
    };
  }

  /** Messages stored before this time have expired ('' when the room keeps everything). */
  cutoff(roomId: number): string {
    const ret = this.stmt.retention.get(roomId)?.retention_seconds ?? null;
    return ret === null ? '' : new Date(Date.now() - ret * 1000).toISOString();
  }

  /** Fills in the reactions of read messages, in one query. */
  withReactions(messages: StoredMessage[]): StoredMessage[] {
    if (messages.length === 0) return messages;
    const bySeq = new Map(messages.map((m) => [m.seq, m]));
    const rows = this.stmt.reactionsOf.all(messages[0]!.roomId, JSON.stringify([...bySeq.keys()]));
    for (const r of rows) {
      const m = bySeq.get(r.seq)!;
      ((m.reactions ??= {})[r.emoji] ??= []).push(r.name);
    }
    return messages;
  }

  liveMessage(roomId: number, id: string): StoredMessage | undefined {
    const row = this.stmt.liveMessage.get(roomId, id, this.cutoff(roomId));
    return row && toMessage(row);
  }

  toggleReaction(roomId: number, id: string, emoji: string, name: string): ReactionResult {
    const key = nameKey(name);
    return this.db.transaction((): ReactionResult => {
      const message = this.liveMessage(roomId, id);
      if (!message) return { ok: false, reason: 'not_found' };
      if (this.stmt.hasReaction.get(roomId, message.seq, emoji, key)) {
        this.stmt.unreact.run(roomId, message.seq, emoji, key);
        return { ok: true, on: false, message };
      }
      // One more name on an emoji already there is always fine; a new emoji needs room.
      const { n, here } = this.stmt.emojis.get(emoji, roomId, message.seq)!;
      if (here !== 1 && n >= LIMITS.reactionsPerMessage) return { ok: false, reason: 'too_many' };
      this.stmt.react.run(roomId, message.seq, emoji, key, name, new Date().toISOString());
      return { ok: true, on: true, message };
    }).immediate();
  }

  setReadPosition(roomId: number, name: string, seq: number): ReadResult {
    return this.db.transaction((): ReadResult => {
      const room = this.stmt.retention.get(roomId);
      if (!room || seq > room.last_seq) return 'beyond';
      return this.stmt.read.get(roomId, nameKey(name), name, seq, new Date().toISOString()) ? 'moved' : 'unchanged';
    }).immediate();
  }

  readPositions(roomId: number): Map<string, number> {
    return new Map(this.stmt.reads.all(roomId).map((r) => [r.name_key, r.seq]));
  }

  search(roomId: number, q: SearchQuery): MessagePage {
    const { long, short } = splitTerms(q.terms);
    const match = long.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
    const cutoff = this.cutoff(roomId);
    const found: StoredMessage[] = [];
    let before = Math.min(q.before ?? ROOM_SHIFT, ROOM_SHIFT);
    for (;;) {
      const rows = this.stmt.search.all({ match, room: roomId, before, cutoff, limit: SEARCH_CHUNK });
      for (const r of rows) {
        const m = toMessage(r);
        if (containsAll(m.msg, short)) found.push(m);
        if (found.length > q.limit) break;
      }
      if (found.length > q.limit || rows.length < SEARCH_CHUNK) break;
      before = rows[rows.length - 1]!.seq;
    }
    return { messages: this.withReactions(found.slice(0, q.limit)), hasMore: found.length > q.limit };
  }

  deleteExpired(roomIds: readonly number[]): Expiry[] {
    const wanted = new Set(roomIds);
    const out: Expiry[] = [];
    for (const room of this.stmt.retained.all()) {
      const cutoff = new Date(Date.now() - room.retention_seconds * 1000).toISOString();
      this.stmt.expire.run(room.id, cutoff);
      if (!wanted.has(room.id)) continue;
      const oldest = this.stmt.oldest.get(room.id);
      out.push({ roomId: room.id, throughSeq: oldest ? oldest.seq - 1 : room.last_seq });
    }
    return out;
  }
}
