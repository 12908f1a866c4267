// The store drivers every store suite runs against: a real SQLite file, and the real PostgreSQL
// in a schema of its own per open() (dropped afterwards), so parallel runs never meet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { NewRoom, Store } from '../../src/store/store.ts';
import { POSTGRES_URL, postgresSkip, uniqueName } from './services.ts';

export interface StoreDriver {
  name: string;
  /** Why the driver's tests are skipped (its service is unreachable); undefined = run them. */
  skip?: string | undefined;
  /** A fresh, empty store; reopen() opens another on the same database (a restart, or a second node). */
  open: () => Promise<{ store: Store; reopen: () => Promise<Store>; sql: (text: string) => Promise<void>; schema?: string }>;
}

/** The drivers, with their clean-up registered in the calling test file. */
export async function storeDrivers(): Promise<StoreDriver[]> {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const schemas: string[] = [];
  const pgStores: PostgresStore[] = [];
  after(async () => {
    // A failed test leaves its stores open; their pools would hold the process and the schema.
    await Promise.all(pgStores.map((s) => s.close()));
    if (schemas.length === 0) return;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
  });
  return [
    {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'chitchat-store-'));
        dirs.push(dir);
        const file = join(dir, 'chat.db');
        const sql = async (text: string) => {
          const { default: Database } = await import('better-sqlite3');
          const db = new Database(file);
          db.exec(text);
          db.close();
        };
        return { store: new SqliteStore(file), reopen: async () => new SqliteStore(file), sql };
      },
    },
    {
      name: 'postgres',
      skip: await postgresSkip(),
      async open() {
        const schema = uniqueName('chitchat_test');
        schemas.push(schema);
        const make = async () => {
          const store = new PostgresStore({ url: POSTGRES_URL, schema, maxConnections: 4 });
          pgStores.push(store);
          return store;
        };
        const sql = async (text: string) => {
          const c = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
          await c.connect();
          try {
            await c.query(text);
          } finally {
            await c.end();
          }
        };
        return { store: await make(), reopen: make, sql, schema };
      },
    },
  ];
}

/** A public room's creation record. */
export const newRoom = (title: string, extra: Partial<NewRoom> = {}): NewRoom => ({
  title,
  description: '',
  visibility: 'public',
  passwordHash: null,
  ownerKeyHash: 'hash',
  ...extra,
});
