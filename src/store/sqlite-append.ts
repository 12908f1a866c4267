// What the SQLite store shares between its two connections: how a database file is opened, how
// message rows map to messages, and the append transaction that assigns seq. The append runs on
// a worker thread (sqlite-writer.ts), so the commit's fsync never blocks the event loop.
import Database from 'better-sqlite3';
import type { StoredMessage } from '../domain/message.js';
import { storedMessage, type AppendResult, type NewMessage } from './store.js';

export interface MessageRow {
  room_id: number;
  seq: number;
  id: string;
  name: string;
  color: string;
  msg: string;
  client_id: string | null;
  created_at: string;
  edited_at: string | null;
  author: string | null;
  trip: string | null;
  reply_id: string | null;
  reply_seq: number | null;
  reply_name: string | null;
  reply_excerpt: string | null;
  /** JSON array, or null for none. */
  mentions: string | null;
  bot: number;
}

export const toMessage = (r: MessageRow): StoredMessage => {
  const m: StoredMessage = {
    id: r.id,
    roomId: r.room_id,
    seq: r.seq,
    name: r.name,
    color: r.color,
    msg: r.msg,
    clientId: r.client_id,
    time: r.created_at,
    editedAt: r.edited_at,
    author: r.author,
    trip: r.trip,
    bot: r.bot === 1,
  };
  if (r.reply_id !== null) m.replyTo = { id: r.reply_id, seq: r.reply_seq!, name: r.reply_name!, excerpt: r.reply_excerpt! };
  if (r.mentions !== null) m.mentions = JSON.parse(r.mentions) as string[];
  return m;
};

export const MESSAGE_COLUMNS =
  'room_id, seq, id, name, color, msg, client_id, created_at, edited_at, author, trip, reply_id, reply_seq, reply_name, reply_excerpt, mentions, bot';

/** The named parameters of a message row's INSERT. */
export const messageParams = (m: StoredMessage) => ({
  roomId: m.roomId,
  seq: m.seq,
  id: m.id,
  name: m.name,
  color: m.color,
  msg: m.msg,
  clientId: m.clientId,
  time: m.time,
  author: m.author ?? null,
  trip: m.trip ?? null,
  replyId: m.replyTo?.id ?? null,
  replySeq: m.replyTo?.seq ?? null,
  replyName: m.replyTo?.name ?? null,
  replyExcerpt: m.replyTo?.excerpt ?? null,
  mentions: m.mentions && m.mentions.length > 0 ? JSON.stringify(m.mentions) : null,
  bot: m.bot ? 1 : 0,
});

/** WAL with synchronous=FULL: a commit is on disk (WAL fsynced) before it returns. */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Returns a function that stores a batch in one IMMEDIATE transaction: each message takes its
 * room's next seq (the UPDATE … RETURNING and the INSERT are in the same transaction), and a
 * (room, name, client_id) already stored returns the stored message instead.
 */
export function appender(db: Database.Database): (batch: readonly NewMessage[]) => AppendResult[] {
  const nextSeq = db.prepare<[string, number], { last_seq: number }>(
    'UPDATE rooms SET last_seq = last_seq + 1, last_activity = ? WHERE id = ? RETURNING last_seq',
  );
  const byClientId = db.prepare<[number, string, string], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND name = ? AND client_id = ?`,
  );
  const insert = db.prepare(
    `INSERT INTO messages (room_id, seq, id, name, color, msg, client_id, created_at, author, trip, reply_id, reply_seq, reply_name, reply_excerpt, mentions, bot)
     VALUES (@roomId, @seq, @id, @name, @color, @msg, @clientId, @time, @author, @trip, @replyId, @replySeq, @replyName, @replyExcerpt, @mentions, @bot)`,
  );
  const tx = db.transaction((items: readonly NewMessage[], time: string): AppendResult[] =>
    items.map((m) => {
      if (m.clientId !== null) {
        const existing = byClientId.get(m.roomId, m.name, m.clientId);
        if (existing) return { ok: true, message: toMessage(existing), duplicate: true };
      }
      const next = nextSeq.get(time, m.roomId);
      if (!next) return { ok: false, reason: 'room_not_found' };
      const message = storedMessage(m, next.last_seq, time);
      insert.run(messageParams(message));
      return { ok: true, message, duplicate: false };
    }),
  );
  return (batch) => tx.immediate(batch, new Date().toISOString());
}
