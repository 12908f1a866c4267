// Shared store on PostgreSQL, for several server nodes on one database. Same guarantees as the
// SQLite driver (store.ts). What makes them hold across nodes:
// - appendMessages first locks the row of every room in its batch (SELECT … FOR UPDATE, in id
//   order, so two nodes with batches over the same rooms queue up instead of deadlocking). Under
//   those locks nobody else can store a message in these rooms, so the client_id look-up sees
//   every committed message, and seq continues from the locked last_seq with no gap; the locks
//   are held until COMMIT, so one room's seqs also commit in order.
// - Nothing inside that transaction relies on an exception (a failed statement aborts it): the
//   insert says ON CONFLICT DO NOTHING, and should a row ever be skipped (a writer that ignores the
//   lock), the transaction rolls back and the batch is retried, where the look-up finds it.
// - Migrations and the default room run under an advisory lock (migrations/postgres.ts).
import pg from 'pg';
import type { StoredMessage } from '../domain/message.js';
import { titleKey } from '../domain/room.js';
import { migrate } from './migrations/postgres.js';
import { postgresBots } from './postgres-bots.js';
import { PgConversations, REPLY_COLUMNS, tidy, unexpired } from './postgres-conversations.js';
import { PostgresIdentity } from './postgres-identity.js';
import {
  DuplicateTitleError,
  type AppendResult,
  type BanRecord,
  type BotRecord,
  type Expiry,
  type NameSecretRecord,
  type MessagePage,
  type NewMessage,
  type NewRoom,
  type Page,
  type ReactionResult,
  type ReadResult,
  type RoomPage,
  type RoomRecord,
  type SearchQuery,
  type RoomUpdate,
  type Store,
  storedMessage,
} from './store.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema holding the tables, created when missing; undefined = the connection's search_path. */
  schema?: string;
  /** Connections per node (pool size). */
  maxConnections?: number;
}

// Rows come back in the shapes of RoomRecord and StoredMessage, times as the same ISO strings
// (UTC, milliseconds) that the SQLite driver stores.
const iso = (column: string, as: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${as}"`;
const ROOM_COLUMNS = `id, title, description, visibility, password_hash AS "passwordHash", owner_key_hash AS "ownerKeyHash",
  token_gen AS "tokenGen", last_seq AS "lastSeq", ${iso('created_at', 'createdAt')}, ${iso('updated_at', 'updatedAt')},
  ${iso('last_activity', 'lastActivity')}, retention_seconds AS "retentionSeconds"`;
const MESSAGE_COLUMNS = `id, room_id AS "roomId", seq, name, color, msg, client_id AS "clientId", ${iso('created_at', 'time')},
  ${iso('edited_at', 'editedAt')}, author, trip, ${REPLY_COLUMNS}, bot`;
const RETRIES = 3;

/** PostgreSQL text cannot hold U+0000 (SQLite can): it becomes U+FFFD rather than failing a whole batch. */
const clean = <T>(v: T): T =>
  (typeof v === 'string' ? v.replaceAll('\0', '\uFFFD') : Array.isArray(v) ? v.map(clean) : v) as T;

const dupKey = (roomId: number, name: string, clientId: string) => `${roomId}\n${name}\n${clientId}`;

/** A row the lock should have made impossible was skipped: roll back and run the batch again. */
class Skipped extends Error {}

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly identity: PostgresIdentity;
  private readonly talk: PgConversations;
  private closed = false;
  private readonly bots: ReturnType<typeof postgresBots>;

  constructor(private readonly options: PostgresStoreOptions) {
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new Error(`invalid schema name "${options.schema}"`);
    }
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      ...(options.schema !== undefined && { options: `-c search_path=${options.schema}` }),
    });
    // An idle connection broke (database restart): the pool drops it and the next query opens a
    // new one. Without a listener the 'error' event would kill the process.
    this.pool.on('error', () => {});
    this.identity = new PostgresIdentity(this.pool);
    this.talk = new PgConversations((sql, params) => this.rows(sql, params), (fn) => this.tx(fn), MESSAGE_COLUMNS);
    this.bots = postgresBots(this.pool);
  }

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<R[]> {
    return (await db.query<R>(sql, clean(params))).rows;
  }

  /** Runs a write; true when it changed a row. */
  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.pool.query(sql, clean(params))).rowCount ?? 0) > 0;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      c.release();
      return out;
    } catch (err) {
      // A connection that cannot even roll back is dropped rather than returned to the pool.
      await c.query('ROLLBACK').then(
        () => c.release(),
        () => c.release(true),
      );
      throw err;
    }
  }

  async init(defaultRoom: NewRoom): Promise<void> {
    const c = await this.pool.connect();
    let failed = true;
    try {
      await migrate(c, this.options.schema, async () => {
        await this.identity.rekey(c);
        // Under the migration lock: of several nodes starting on an empty database, one creates it.
        const { rows } = await c.query('SELECT 1 FROM rooms LIMIT 1');
        if (rows.length === 0) await this.insertRoom(c, defaultRoom);
      });
      failed = false;
    } finally {
      c.release(failed);
    }
  }

  private async insertRoom(db: Queryable, room: NewRoom): Promise<RoomRecord> {
    const now = new Date().toISOString();
    try {
      const rows = await this.rows<RoomRecord>(
        `INSERT INTO rooms (title, title_key, description, visibility, password_hash, owner_key_hash,
           created_at, updated_at, last_activity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) RETURNING ${ROOM_COLUMNS}`,
        [room.title, titleKey(room.title), room.description, room.visibility, room.passwordHash, room.ownerKeyHash, now],
        db,
      );
      return rows[0]!;
    } catch (err) {
      if (isDuplicateTitle(err)) throw new DuplicateTitleError();
      throw err;
    }
  }

  async createRoom(room: NewRoom): Promise<RoomRecord> {
    return this.insertRoom(this.pool, room);
  }

  async roomById(id: number): Promise<RoomRecord | undefined> {
    const [row] = await this.rows<RoomRecord>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = $1`, [id]);
    return row;
  }

  async roomByTitle(title: string): Promise<RoomRecord | undefined> {
    const [row] = await this.rows<RoomRecord>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE title_key = $1`, [titleKey(title)]);
    return row;
  }

  async listRooms(page?: RoomPage): Promise<RoomRecord[]> {
    const order = 'ORDER BY last_activity DESC, id DESC';
    if (!page) return this.rows<RoomRecord>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE visibility <> 'hidden' ${order}`);
    if (!page.after) return this.rows<RoomRecord>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE visibility <> 'hidden' ${order} LIMIT $1`, [page.limit]);
    // A row comparison, so the listing index (last_activity DESC, id DESC) serves it.
    const sql = `SELECT ${ROOM_COLUMNS} FROM rooms WHERE visibility <> 'hidden'
      AND (last_activity, id) < ($2::timestamptz, $3) ${order} LIMIT $1`;
    return this.rows<RoomRecord>(sql, [page.limit, page.after.lastActivity, page.after.id]);
  }

  async updateRoom(id: number, u: RoomUpdate): Promise<RoomRecord | undefined> {
    const params: unknown[] = [id, new Date().toISOString()];
    const sets = ['updated_at = $2'];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (u.title !== undefined) (set('title', u.title), set('title_key', titleKey(u.title)));
    if (u.description !== undefined) set('description', u.description);
    if (u.visibility !== undefined) set('visibility', u.visibility);
    if (u.passwordHash !== undefined) set('password_hash', u.passwordHash);
    if (u.bumpTokenGen) sets.push('token_gen = token_gen + 1');
    if (u.retentionSeconds !== undefined) set('retention_seconds', u.retentionSeconds);
    try {
      const [row] = await this.rows<RoomRecord>(`UPDATE rooms SET ${sets.join(', ')} WHERE id = $1 RETURNING ${ROOM_COLUMNS}`, params);
      return row;
    } catch (err) {
      if (isDuplicateTitle(err)) throw new DuplicateTitleError();
      throw err;
    }
  }

  async deleteRoom(id: number): Promise<boolean> {
    return this.changed('DELETE FROM rooms WHERE id = $1', [id]);
  }

  async appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    const items = batch.map((m) => ({ ...m, name: clean(m.name), color: clean(m.color), msg: clean(m.msg), clientId: clean(m.clientId) }));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx((c) => this.appendLocked(c, items));
      } catch (err) {
        if (!(err instanceof Skipped) || attempt >= RETRIES) throw err;
      }
    }
  }

  private async appendLocked(c: pg.PoolClient, batch: readonly NewMessage[]): Promise<AppendResult[]> {
    const time = new Date().toISOString();
    const roomIds = [...new Set(batch.map((m) => m.roomId))];
    const locked = await c.query<{ id: number; last_seq: number }>(
      'SELECT id, last_seq FROM rooms WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE',
      [roomIds],
    );
    const lastSeq = new Map(locked.rows.map((r) => [r.id, r.last_seq]));

    const stored = new Map<string, StoredMessage>();
    const keyed = batch.filter((m) => m.clientId !== null && lastSeq.has(m.roomId));
    if (keyed.length > 0) {
      const prior = await c.query<StoredMessage>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE (room_id, name, client_id) IN (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))`,
        [keyed.map((m) => m.roomId), keyed.map((m) => m.name), keyed.map((m) => m.clientId)],
      );
      for (const m of prior.rows) stored.set(dupKey(m.roomId, m.name, m.clientId!), m);
    }

    const results: AppendResult[] = [];
    const fresh: StoredMessage[] = [];
    for (const m of batch) {
      const key = m.clientId === null ? undefined : dupKey(m.roomId, m.name, m.clientId);
      const existing = key === undefined ? undefined : stored.get(key);
      if (existing) {
        results.push({ ok: true, message: existing, duplicate: true });
        continue;
      }
      const last = lastSeq.get(m.roomId);
      if (last === undefined) {
        results.push({ ok: false, reason: 'room_not_found' });
        continue;
      }
      lastSeq.set(m.roomId, last + 1);
      const message = storedMessage(m, last + 1, time);
      if (key !== undefined) stored.set(key, message);
      fresh.push(message);
      results.push({ ok: true, message, duplicate: false });
    }
    if (fresh.length === 0) return results;

    const col = (k: keyof StoredMessage) => fresh.map((m) => m[k]);
    const reply = (k: 'id' | 'seq' | 'name' | 'excerpt') => fresh.map((m) => (m.replyTo ? clean(m.replyTo[k]) : null));
    // Mentions travel as JSON text: unnest would flatten an array of arrays.
    const mentions = fresh.map((m) => (m.mentions && m.mentions.length > 0 ? JSON.stringify(clean(m.mentions)) : null));
    const inserted = await c.query(
      `INSERT INTO messages (room_id, seq, id, name, color, msg, client_id, created_at, author, trip,
         reply_id, reply_seq, reply_name, reply_excerpt, mentions, bot)
       SELECT r, s, i, n, c, m, k, $8::timestamptz, a, tr, ri, rs, rn, re,
         CASE WHEN mj IS NULL THEN NULL ELSE ARRAY(SELECT json_array_elements_text(mj::json)) END, b
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $9::text[], $10::text[], $11::text[], $12::int[], $13::text[], $14::text[], $15::text[], $16::boolean[])
         AS t(r, s, i, n, c, m, k, a, tr, ri, rs, rn, re, mj, b)
       ON CONFLICT DO NOTHING`,
      [col('roomId'), col('seq'), col('id'), col('name'), col('color'), col('msg'), col('clientId'), time,
        col('author'), col('trip'), reply('id'), reply('seq'), reply('name'), reply('excerpt'), mentions, col('bot')],
    );
    if (inserted.rowCount !== fresh.length) throw new Skipped('a message row was skipped');
    const touched = [...new Set(fresh.map((m) => m.roomId))];
    await c.query(
      `UPDATE rooms SET last_seq = v.seq, last_activity = $3
       FROM unnest($1::int[], $2::int[]) AS v(id, seq) WHERE rooms.id = v.id`,
      [touched, touched.map((id) => lastSeq.get(id)), time],
    );
    return results;
  }

  async messages(roomId: number, page: Page): Promise<MessagePage> {
    const { before, after, limit } = page;
    const where = ['room_id = $1', 'NOT deleted', unexpired('$1')];
    const params: unknown[] = [roomId, limit + 1];
    if (after !== undefined) where.push(`seq > $${params.push(after)}`);
    if (before !== undefined) where.push(`seq < $${params.push(before)}`);
    // With `after` the page starts at the oldest; otherwise it ends at the newest (read backwards).
    const order = after !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where.join(' AND ')} ORDER BY seq ${order} LIMIT $2`;
    const rows = await this.rows<StoredMessage>(sql, params);
    const hasMore = rows.length > limit;
    const messages = tidy(rows.slice(0, limit));
    await this.talk.withReactions(roomId, messages);
    return { messages: order === 'ASC' ? messages : messages.reverse(), hasMore };
  }

  async message(roomId: number, id: string): Promise<StoredMessage | undefined> {
    const sql = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = $1 AND id = $2 AND NOT deleted AND ${unexpired('$1')}`;
    const [row] = tidy(await this.rows<StoredMessage>(sql, [roomId, id]));
    return row;
  }

  async search(roomId: number, query: SearchQuery): Promise<MessagePage> {
    return this.talk.search(roomId, query);
  }

  async toggleReaction(roomId: number, id: string, emoji: string, name: string): Promise<ReactionResult> {
    return this.talk.toggleReaction(roomId, clean(id), clean(emoji), clean(name));
  }

  async setReadPosition(roomId: number, name: string, seq: number): Promise<ReadResult> {
    return this.talk.setReadPosition(roomId, clean(name), seq);
  }

  async readPositions(roomId: number): Promise<Map<string, number>> {
    return this.talk.readPositions(roomId);
  }

  async deleteExpired(roomIds: readonly number[]): Promise<Expiry[]> {
    return this.talk.deleteExpired(roomIds);
  }

  async editMessage(roomId: number, id: string, msg: string, editedAt: string, mentions: readonly string[]): Promise<StoredMessage | undefined> {
    const sql = `UPDATE messages SET msg = $3, edited_at = $4, mentions = $5::text[] WHERE room_id = $1 AND id = $2 AND NOT deleted RETURNING ${MESSAGE_COLUMNS}`;
    const [row] = tidy(await this.rows<StoredMessage>(sql, [roomId, id, msg, editedAt, mentions.length > 0 ? mentions : null]));
    return row;
  }

  async deleteMessage(roomId: number, id: string): Promise<boolean> {
    // A deleted message takes its reactions along.
    return this.changed(
      `WITH gone AS (UPDATE messages SET msg = '', deleted = true WHERE room_id = $1 AND id = $2 AND NOT deleted RETURNING seq),
         r AS (DELETE FROM reactions WHERE room_id = $1 AND seq IN (SELECT seq FROM gone))
       SELECT 1 FROM gone`,
      [roomId, id],
    );
  }

  async ban(roomId: number, nameKey: string, name?: string): Promise<void> {
    await this.identity.ban(roomId, nameKey, name);
  }

  async unban(roomId: number, nameKey: string): Promise<boolean> {
    return this.identity.unban(roomId, nameKey);
  }

  async isBanned(roomId: number, nameKey: string): Promise<boolean> {
    return (await this.rows('SELECT 1 FROM bans WHERE room_id = $1 AND name_key = $2', [roomId, nameKey])).length > 0;
  }

  bans(roomId: number): Promise<BanRecord[]> {
    return this.identity.bans(roomId);
  }

  banAddress(roomId: number, address: string, nameKey: string, until: string): Promise<void> {
    return this.identity.banAddress(roomId, address, nameKey, until);
  }

  isAddressBanned(roomId: number, address: string): Promise<boolean> {
    return this.identity.isAddressBanned(roomId, address);
  }

  addNameSecret(roomId: number, nameKey: string, secretHash: string, name: string): Promise<void> {
    return this.identity.addNameSecret(roomId, nameKey, secretHash, name);
  }

  nameSecret(roomId: number, secretHash: string): Promise<NameSecretRecord | undefined> {
    return this.identity.nameSecret(roomId, secretHash);
  }

  touchNameSecret(roomId: number, secretHash: string): Promise<void> {
    return this.identity.touchNameSecret(roomId, secretHash);
  }

  // Bots (SPEC §11): their SQL lives in postgres-bots.ts.
  createBot(bot: BotRecord): Promise<boolean> {
    return this.bots.createBot(bot);
  }
  bot(roomId: number, nameKey: string): Promise<BotRecord | undefined> {
    return this.bots.bot(roomId, nameKey);
  }
  botByHook(hookHash: string): Promise<BotRecord | undefined> {
    return this.bots.botByHook(hookHash);
  }
  listBots(roomId: number): Promise<BotRecord[]> {
    return this.bots.listBots(roomId);
  }
  deleteBot(roomId: number, nameKey: string): Promise<boolean> {
    return this.bots.deleteBot(roomId, nameKey);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

function isDuplicateTitle(err: unknown): boolean {
  return err instanceof pg.DatabaseError && err.code === '23505' && err.constraint === 'rooms_title_key';
}
