// Embedded store on SQLite (better-sqlite3). WAL with synchronous=FULL: a commit is on disk
// before appendMessages resolves, so an acknowledged message survives a crash or power loss.
import type Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StoredMessage } from '../domain/message.js';
import { titleKey, type Visibility } from '../domain/room.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import { appender, MESSAGE_COLUMNS, openDatabase, toMessage, type MessageRow } from './sqlite-append.js';
import { sqliteBots } from './sqlite-bots.js';
import { SqliteConversations } from './sqlite-conversations.js';
import { SqliteIdentity } from './sqlite-identity.js';
import type { WriterCall, WriterReply, WriterRequest } from './sqlite-writer.js';
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
} from './store.js';

interface RoomRow {
  id: number;
  title: string;
  description: string;
  visibility: Visibility;
  password_hash: string | null;
  owner_key_hash: string;
  token_gen: number;
  last_seq: number;
  created_at: string;
  updated_at: string;
  last_activity: string;
  retention_seconds: number | null;
}

const toRoom = (r: RoomRow): RoomRecord => ({
  id: r.id,
  title: r.title,
  description: r.description,
  visibility: r.visibility,
  passwordHash: r.password_hash,
  ownerKeyHash: r.owner_key_hash,
  tokenGen: r.token_gen,
  lastSeq: r.last_seq,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastActivity: r.last_activity,
  retentionSeconds: r.retention_seconds,
});

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly talk: SqliteConversations;
  private readonly writer: WriterThread | undefined;
  private readonly appendHere: ((batch: readonly NewMessage[]) => AppendResult[]) | undefined;
  private readonly identity: SqliteIdentity;
  private readonly bots: ReturnType<typeof sqliteBots>;

  constructor(file: string) {
    if (file !== ':memory:') ownerOnly(file);
    this.db = openDatabase(file);
    this.migrate();
    this.identity = new SqliteIdentity(this.db);
    // Appends go to a worker thread with its own connection; an in-memory database cannot be
    // shared between connections, so there they run here.
    if (file === ':memory:') this.appendHere = appender(this.db);
    else this.writer = new WriterThread(file);
    const db = this.db;
    this.bots = sqliteBots(db);
    this.stmt = {
      roomById: db.prepare<[number], RoomRow>('SELECT * FROM rooms WHERE id = ?'),
      roomByKey: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE title_key = ?'),
      listRooms: db.prepare<[], RoomRow>(
        "SELECT * FROM rooms WHERE visibility <> 'hidden' ORDER BY last_activity DESC, id DESC",
      ),
      listRoomsPage: db.prepare<{ limit: number; lastActivity: string | null; id: number | null }, RoomRow>(
        `SELECT * FROM rooms WHERE visibility <> 'hidden'
           AND (@lastActivity IS NULL OR last_activity < @lastActivity OR (last_activity = @lastActivity AND id < @id))
         ORDER BY last_activity DESC, id DESC LIMIT @limit`,
      ),
      insertRoom: db.prepare(
        `INSERT INTO rooms (title, title_key, description, visibility, password_hash, owner_key_hash,
           created_at, updated_at, last_activity)
         VALUES (@title, @titleKey, @description, @visibility, @passwordHash, @ownerKeyHash, @now, @now, @now)`,
      ),
      countRooms: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM rooms'),
      deleteRoom: db.prepare<[number]>('DELETE FROM rooms WHERE id = ?'),
      newest: db.prepare<[number, string, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND deleted = 0 AND created_at >= ? ORDER BY seq DESC LIMIT ?`,
      ),
      before: db.prepare<[number, number, string, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq < ? AND deleted = 0 AND created_at >= ? ORDER BY seq DESC LIMIT ?`,
      ),
      after: db.prepare<[number, number, string, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? AND deleted = 0 AND created_at >= ? ORDER BY seq ASC LIMIT ?`,
      ),
      between: db.prepare<[number, number, number, string, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? AND seq < ? AND deleted = 0 AND created_at >= ? ORDER BY seq ASC LIMIT ?`,
      ),
      editMessage: db.prepare<[string, string, string | null, number, string], MessageRow>(
        `UPDATE messages SET msg = ?, edited_at = ?, mentions = ? WHERE room_id = ? AND id = ? AND deleted = 0 RETURNING ${MESSAGE_COLUMNS}`,
      ),
      deleteMessage: db.prepare<[number, string]>(
        "UPDATE messages SET msg = '', deleted = 1 WHERE room_id = ? AND id = ? AND deleted = 0",
      ),
      isBanned: db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM bans WHERE room_id = ? AND name_key = ?'),
    };
    this.talk = new SqliteConversations(db);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  async init(defaultRoom: NewRoom): Promise<void> {
    this.identity.rekey();
    this.db.transaction(() => {
      if (this.stmt.countRooms.get()!.n === 0) this.insertRoom(defaultRoom);
    }).immediate();
  }

  private insertRoom(room: NewRoom): number {
    try {
      const now = new Date().toISOString();
      const info = this.stmt.insertRoom.run({ ...room, titleKey: titleKey(room.title), now });
      return Number(info.lastInsertRowid);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateTitleError();
      throw err;
    }
  }

  async createRoom(room: NewRoom): Promise<RoomRecord> {
    return toRoom(this.stmt.roomById.get(this.insertRoom(room))!);
  }

  async roomById(id: number): Promise<RoomRecord | undefined> {
    const row = this.stmt.roomById.get(id);
    return row && toRoom(row);
  }

  async roomByTitle(title: string): Promise<RoomRecord | undefined> {
    const row = this.stmt.roomByKey.get(titleKey(title));
    return row && toRoom(row);
  }

  async listRooms(page?: RoomPage): Promise<RoomRecord[]> {
    if (!page) return this.stmt.listRooms.all().map(toRoom);
    const after = { lastActivity: page.after?.lastActivity ?? null, id: page.after?.id ?? null };
    return this.stmt.listRoomsPage.all({ limit: page.limit, ...after }).map(toRoom);
  }

  async updateRoom(id: number, u: RoomUpdate): Promise<RoomRecord | undefined> {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id, now: new Date().toISOString() };
    if (u.title !== undefined) {
      sets.push('title = @title', 'title_key = @titleKey');
      params.title = u.title;
      params.titleKey = titleKey(u.title);
    }
    if (u.description !== undefined) (sets.push('description = @description'), (params.description = u.description));
    if (u.visibility !== undefined) (sets.push('visibility = @visibility'), (params.visibility = u.visibility));
    if (u.passwordHash !== undefined) (sets.push('password_hash = @passwordHash'), (params.passwordHash = u.passwordHash));
    if (u.bumpTokenGen) sets.push('token_gen = token_gen + 1');
    if (u.retentionSeconds !== undefined) (sets.push('retention_seconds = @retention'), (params.retention = u.retentionSeconds));
    sets.push('updated_at = @now');
    try {
      const row = this.db
        .prepare<Record<string, unknown>, RoomRow>(`UPDATE rooms SET ${sets.join(', ')} WHERE id = @id RETURNING *`)
        .get(params);
      return row && toRoom(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateTitleError();
      throw err;
    }
  }

  async deleteRoom(id: number): Promise<boolean> {
    return this.stmt.deleteRoom.run(id).changes > 0;
  }

  async appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    return this.writer ? this.writer.append(batch) : this.appendHere!(batch);
  }

  async messages(roomId: number, page: Page): Promise<MessagePage> {
    const { before, after, limit } = page;
    const cutoff = this.talk.cutoff(roomId);
    let rows: MessageRow[];
    if (after !== undefined) {
      rows =
        before !== undefined
          ? this.stmt.between.all(roomId, after, before, cutoff, limit + 1)
          : this.stmt.after.all(roomId, after, cutoff, limit + 1);
      const hasMore = rows.length > limit;
      return { messages: this.talk.withReactions(rows.slice(0, limit).map(toMessage)), hasMore };
    }
    rows = before !== undefined ? this.stmt.before.all(roomId, before, cutoff, limit + 1) : this.stmt.newest.all(roomId, cutoff, limit + 1);
    const hasMore = rows.length > limit;
    return { messages: this.talk.withReactions(rows.slice(0, limit).reverse().map(toMessage)), hasMore };
  }

  async message(roomId: number, id: string): Promise<StoredMessage | undefined> {
    return this.talk.liveMessage(roomId, id);
  }

  async search(roomId: number, query: SearchQuery): Promise<MessagePage> {
    return this.talk.search(roomId, query);
  }

  // Writes with a commit (fsync) each go to the writer thread, like appends.
  async toggleReaction(roomId: number, id: string, emoji: string, name: string): Promise<ReactionResult> {
    if (this.writer) return this.writer.call('toggleReaction', [roomId, id, emoji, name]);
    return this.talk.toggleReaction(roomId, id, emoji, name);
  }

  async setReadPosition(roomId: number, name: string, seq: number): Promise<ReadResult> {
    if (this.writer) return this.writer.call('setReadPosition', [roomId, name, seq]);
    return this.talk.setReadPosition(roomId, name, seq);
  }

  async readPositions(roomId: number): Promise<Map<string, number>> {
    return this.talk.readPositions(roomId);
  }

  async deleteExpired(roomIds: readonly number[]): Promise<Expiry[]> {
    if (this.writer) return this.writer.call('deleteExpired', [[...roomIds]]);
    return this.talk.deleteExpired(roomIds);
  }

  async editMessage(roomId: number, id: string, msg: string, editedAt: string, mentions: readonly string[]): Promise<StoredMessage | undefined> {
    const row = this.stmt.editMessage.get(msg, editedAt, mentions.length > 0 ? JSON.stringify(mentions) : null, roomId, id);
    return row && toMessage(row);
  }

  async deleteMessage(roomId: number, id: string): Promise<boolean> {
    return this.stmt.deleteMessage.run(roomId, id).changes > 0;
  }

  async ban(roomId: number, nameKey: string, name?: string): Promise<void> {
    this.identity.ban(roomId, nameKey, name);
  }

  async unban(roomId: number, nameKey: string): Promise<boolean> {
    return this.identity.unban(roomId, nameKey);
  }

  async isBanned(roomId: number, nameKey: string): Promise<boolean> {
    return this.stmt.isBanned.get(roomId, nameKey) !== undefined;
  }

  async bans(roomId: number): Promise<BanRecord[]> {
    return this.identity.bans(roomId);
  }

  async banAddress(roomId: number, address: string, nameKey: string, until: string): Promise<void> {
    this.identity.banAddress(roomId, address, nameKey, until);
  }

  async isAddressBanned(roomId: number, address: string): Promise<boolean> {
    return this.identity.isAddressBanned(roomId, address);
  }

  async addNameSecret(roomId: number, nameKey: string, secretHash: string, name: string): Promise<void> {
    this.identity.addNameSecret(roomId, nameKey, secretHash, name);
  }

  async nameSecret(roomId: number, secretHash: string): Promise<NameSecretRecord | undefined> {
    return this.identity.nameSecret(roomId, secretHash);
  }

  async touchNameSecret(roomId: number, secretHash: string): Promise<void> {
    this.identity.touchNameSecret(roomId, secretHash);
  }

  // Bots (SPEC §11): their SQL lives in sqlite-bots.ts.
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
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/** A writer reply that is not the answer asked for: the worker's error, rethrown here. */
function failed(reply: WriterReply): never {
  if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  throw new Error('SQLite writer: unexpected reply');
}

interface Waiting {
  resolve: (reply: WriterReply) => void;
  reject: (err: Error) => void;
}

/** The main thread's side of sqlite-writer.ts: one request at a time per batch, answered by id. */
class WriterThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly file: string) {}

  async append(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    const reply = await this.request((id) => ({ id, batch })); // postMessage copies it
    if ('results' in reply) return reply.results as AppendResult[];
    return failed(reply);
  }

  async call<T>(call: WriterCall, args: unknown[]): Promise<T> {
    const reply = await this.request((id) => ({ id, call, args }));
    if ('value' in reply) return reply.value as T;
    return failed(reply);
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    const worker = this.worker;
    // The worker closes its connection (finishing any transaction) and answers; then it is
    // stopped, as tsx's hooks, when running from source, would keep its event loop alive.
    await this.request((id) => ({ id, close: true })).catch(() => {});
    await worker.terminate();
  }

  private request(make: (id: number) => WriterRequest): Promise<WriterReply> {
    const worker = (this.worker ??= this.start());
    const req = make(this.nextId++);
    return new Promise((resolve, reject) => {
      this.waiting.set(req.id, { resolve, reject });
      // The worker keeps the process alive only while it has work.
      worker.ref();
      worker.postMessage(req);
    });
  }

  private start(): Worker {
    const worker = startWorker(new URL('./sqlite-writer.js', import.meta.url), { file: this.file });
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      w?.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null; // the next append starts a new one
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`SQLite writer thread exited (${code})`)));
    return worker;
  }
}

/**
 * Starts a worker from a sibling module. Built (dist/), that is the .js file. From source (tests,
 * `npm run dev`) it is the .ts file under tsx, whose hooks Node 20 does not pass on to workers
 * (nodejs/node#47747), so the worker registers them itself before importing it.
 */
function startWorker(js: URL, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(js, { workerData });
  const ts = js.href.replace(/\.js$/, '.ts');
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * The data dir 0700 and the database 0600, for new and existing ones alike (SPEC §6). SQLite gives
 * its -wal and -shm files the database file's mode, so they follow; the umask alone gave 0644.
 */
function ownerOnly(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}
