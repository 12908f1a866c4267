// Builds the big room straight in a store, not through sockets: the schema comes from ChitChat's
// own store (its migrations), then rows go in by bulk statements. Setup only; never measured.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { NewRoom, Store } from '../../src/store/store.js';
import type { Corpus } from './corpus.js';

const room = (title: string): NewRoom => ({ title, description: '', visibility: 'public', passwordHash: null, ownerKeyHash: 'x' });
const NAMES = Array.from({ length: 50 }, (_, i) => `user${i}`);
/** Messages spread evenly over the 30 days before the load. */
const SPAN_MS = 30 * 86_400_000;

async function createBigRoom(store: Store): Promise<number> {
  await store.init(room('Public Chat'));
  const big = await store.createRoom(room('Big room'));
  await store.close();
  return big.id;
}

function rowsOf(c: Corpus, n: number, from: number, to: number, start: number) {
  const seqs: number[] = [];
  const ids: string[] = [];
  const names: string[] = [];
  const texts: string[] = [];
  const times: string[] = [];
  for (let i = from; i < to; i++) {
    seqs.push(i + 1);
    ids.push(randomUUID());
    names.push(NAMES[i % NAMES.length]!);
    texts.push(c.text(i));
    times.push(new Date(start + Math.floor((i * SPAN_MS) / n)).toISOString());
  }
  return { seqs, ids, names, texts, times };
}

/** SQLite: one data dir with the big room; returns its id. The FTS triggers index every row. */
export async function loadSqlite(dataDir: string, c: Corpus, n: number, log: (s: string) => void): Promise<number> {
  const file = join(dataDir, 'chitchat.db');
  const roomId = await createBigRoom(new SqliteStore(file));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // setup: a crash would only mean loading again
  const insert = db.prepare(
    `INSERT INTO messages (room_id, seq, id, name, color, msg, client_id, created_at) VALUES (?, ?, ?, ?, '#336699', ?, NULL, ?)`,
  );
  const start = Date.now() - SPAN_MS - 60_000;
  const batch = db.transaction((rows: ReturnType<typeof rowsOf>) => {
    for (let k = 0; k < rows.seqs.length; k++) insert.run(roomId, rows.seqs[k], rows.ids[k], rows.names[k], rows.texts[k], rows.times[k]);
  });
  const step = 50_000;
  for (let i = 0; i < n; i += step) {
    batch(rowsOf(c, n, i, Math.min(n, i + step), start));
    log(`sqlite: ${Math.min(n, i + step)} messages`);
  }
  db.prepare('UPDATE rooms SET last_seq = ?, last_activity = ? WHERE id = ?').run(n, new Date(start + SPAN_MS).toISOString(), roomId);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return roomId;
}

/** PostgreSQL: the big room in `schema`; the search index is built once after the rows are in. */
export async function loadPostgres(url: string, schema: string, c: Corpus, n: number, log: (s: string) => void): Promise<number> {
  const roomId = await createBigRoom(new PostgresStore({ url, schema }));
  const db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    // The search index, as the migrations made it, is dropped for the load and built again after.
    const index = (await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'messages_search'", [schema])).rows[0]!.indexdef;
    await db.query('DROP INDEX messages_search');
    const start = Date.now() - SPAN_MS - 60_000;
    const step = 20_000;
    for (let i = 0; i < n; i += step) {
      const r = rowsOf(c, n, i, Math.min(n, i + step), start);
      await db.query(
        `INSERT INTO messages (room_id, seq, id, name, color, msg, client_id, created_at)
         SELECT $1, s, i, nm, '#336699', m, NULL, t FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS x(s, i, nm, m, t)`,
        [roomId, r.seqs, r.ids, r.names, r.texts, r.times],
      );
      if ((i / step) % 5 === 4 || i + step >= n) log(`postgres: ${Math.min(n, i + step)} messages`);
    }
    await db.query('UPDATE rooms SET last_seq = $1, last_activity = $2 WHERE id = $3', [n, new Date(start + SPAN_MS).toISOString(), roomId]);
    log('postgres: building the search index');
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query(index);
    await db.query('VACUUM ANALYZE messages');
  } finally {
    await db.end();
  }
  return roomId;
}
