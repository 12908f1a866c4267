// `chitchat migrate --to postgres://…`: copies a SQLite data dir into PostgreSQL, table by table
// (migrate-tables.ts), in batches, in one transaction: it lands whole or not at all. A rerun
// updates what it copied before. A database that holds rooms this data dir does not have is
// refused. It ends by counting every table on both sides.
import Database from 'better-sqlite3';
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { migrate as migrateSchema } from '../store/migrations/postgres.js';
import { action, CliError, out } from './common.js';
import { MIGRATED_TABLES, type MigratedTable } from './migrate-tables.js';

interface MigrateOptions {
  to: string;
  dataDir: string;
  schema?: string;
  batch: string;
}

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('copy a SQLite data dir into PostgreSQL (safe to rerun; ends with a count check)')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user:password@host:port/db')
    .addOption(new Option('--data-dir <dir>', "the SQLite server's data dir").env('CHITCHAT_DATA_DIR').default('data'))
    .addOption(new Option('--schema <name>', 'PostgreSQL schema (as CHITCHAT_DATABASE_SCHEMA)').env('CHITCHAT_DATABASE_SCHEMA'))
    .option('--batch <rows>', 'rows per INSERT', '500')
    .action(action(migrateAction));
}

async function migrateAction(opts: MigrateOptions): Promise<void> {
  if (!/^postgres(ql)?:\/\//.test(opts.to)) throw new CliError(`--to must be a postgres:// URL, got "${opts.to}"`, 2);
  if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) {
    throw new CliError('--schema must be a lower-case SQL name (a-z, 0-9, _)', 2);
  }
  const batch = Number(opts.batch);
  if (!Number.isSafeInteger(batch) || batch < 1 || batch > 5000) throw new CliError('--batch must be 1–5000', 2);
  const file = join(resolve(opts.dataDir), 'chitchat.db');
  if (!existsSync(file)) throw new CliError(`no SQLite database at ${file} (set --data-dir)`);

  const lite = new Database(file, { fileMustExist: true });
  lite.pragma('busy_timeout = 5000');
  const client = new pg.Client({
    connectionString: opts.to,
    connectionTimeoutMillis: 5000,
    ...(opts.schema !== undefined && { options: `-c search_path=${opts.schema}` }),
  });
  client.on('error', () => {});
  try {
    try {
      await client.connect();
    } catch (err) {
      throw new CliError(`cannot connect to PostgreSQL: ${(err as Error).message}`);
    }
    await migrateSchema(client, opts.schema, async () => {});
    // One read transaction on SQLite: every table is copied from the same moment.
    lite.prepare('BEGIN').run();
    await client.query('BEGIN');
    try {
      await refuseForeignRooms(lite, client);
      const tables = await plan(lite, client);
      for (const t of tables) await copyTable(lite, client, t, batch);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      lite.prepare('COMMIT').run();
    }
    await countCheck(lite, client);
  } finally {
    lite.close();
    await client.end().catch(() => {});
  }
}

interface Planned extends MigratedTable {
  columns: { name: string; pgType: string }[];
}

/** The tables to copy with the columns both sides have; a SQLite table PostgreSQL lacks is an error. */
async function plan(lite: Database.Database, client: pg.Client): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const t of MIGRATED_TABLES) {
    const liteCols = (lite.pragma(`table_info(${t.name})`) as { name: string }[]).map((c) => c.name);
    const pgCols = await pgColumns(client, t.name);
    if (liteCols.length === 0) continue; // a table of a version this data dir never ran
    if (pgCols.size === 0) throw new CliError(`PostgreSQL has no table "${t.name}": is this server's version older than the data dir's?`);
    const missing = liteCols.filter((c) => !pgCols.has(c));
    if (missing.length > 0) throw new CliError(`PostgreSQL's "${t.name}" lacks the columns ${missing.join(', ')}`);
    planned.push({ ...t, columns: liteCols.map((name) => ({ name, pgType: pgCols.get(name)! })) });
  }
  return planned;
}

async function pgColumns(client: pg.Client, table: string): Promise<Map<string, string>> {
  const r = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  return new Map(r.rows.map((c) => [c.column_name, c.data_type]));
}

/** Refuses a database holding any room this data dir does not have (same id and title). */
async function refuseForeignRooms(lite: Database.Database, client: pg.Client): Promise<void> {
  const ours = new Map((lite.prepare('SELECT id, title_key FROM rooms').all() as { id: number; title_key: string }[]).map((r) => [r.id, r.title_key]));
  const theirs = (await client.query<{ id: number; title_key: string; title: string }>('SELECT id, title_key, title FROM rooms ORDER BY id')).rows;
  const foreign = theirs.filter((r) => ours.get(r.id) !== r.title_key);
  if (foreign.length > 0) {
    const names = foreign.slice(0, 5).map((r) => `${r.id} "${r.title}"`).join(', ');
    throw new CliError(
      `refusing: the PostgreSQL database already holds ${foreign.length} room(s) this data dir does not have (${names}${foreign.length > 5 ? ', …' : ''}). Migrate into an empty database or schema (--schema).`,
    );
  }
}

async function copyTable(lite: Database.Database, client: pg.Client, t: Planned, batch: number): Promise<void> {
  const names = t.columns.map((c) => c.name);
  const quoted = names.map((n) => `"${n}"`).join(', ');
  const updates = names.filter((n) => !t.key.includes(n)).map((n) => `"${n}" = EXCLUDED."${n}"`);
  const conflict = `ON CONFLICT (${t.key.map((k) => `"${k}"`).join(', ')}) ${updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  const rows = lite.prepare(`SELECT ${quoted} FROM "${t.name}" ORDER BY ${t.key.map((k) => `"${k}"`).join(', ')}`).iterate() as IterableIterator<Record<string, unknown>>;
  let chunk: Record<string, unknown>[] = [];
  let copied = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const params: unknown[] = [];
    const tuples = chunk.map((row) => `(${t.columns.map((c) => `$${params.push(convert(row[c.name], c.pgType))}`).join(', ')})`);
    await client.query(`INSERT INTO "${t.name}" (${quoted}) VALUES ${tuples.join(', ')} ${conflict}`, params);
    copied += chunk.length;
    chunk = [];
  };
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length >= batch) await flush();
  }
  await flush();
  if (t.identity) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max("${t.identity}") FROM "${t.name}"), 1))`, [t.name, t.identity]);
  }
  await out(`copied ${copied} ${t.name}`);
}

/** SQLite keeps booleans as 0/1, lists as JSON and times as ISO text; PostgreSQL takes the text as it is. */
function convert(value: unknown, pgType: string): unknown {
  if (value === null || value === undefined) return null;
  if (pgType === 'boolean') return Boolean(value);
  // Lists (a message's mentions) are JSON text in SQLite and arrays in PostgreSQL.
  if (pgType === 'ARRAY' && typeof value === 'string') return JSON.parse(value) as unknown[];
  // PostgreSQL text cannot hold U+0000 (SQLite can).
  if (typeof value === 'string') return value.replaceAll('\0', '\uFFFD');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Every table counted on both sides; a difference is an error (exit 1). */
async function countCheck(lite: Database.Database, client: pg.Client): Promise<void> {
  let mismatch = false;
  await out(`${'table'.padEnd(16)} ${'sqlite'.padStart(10)} ${'postgres'.padStart(10)}`);
  for (const t of MIGRATED_TABLES) {
    if ((lite.pragma(`table_info(${t.name})`) as unknown[]).length === 0) continue;
    const a = (lite.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n;
    const b = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.name}"`)).rows[0]!.n);
    if (a !== b) mismatch = true;
    await out(`${t.name.padEnd(16)} ${String(a).padStart(10)} ${String(b).padStart(10)}${a === b ? '  ok' : '  DIFFERENT'}`);
  }
  if (mismatch) throw new CliError('the counts differ: PostgreSQL holds rows the data dir does not (see above)');
  await out('counts match');
}
