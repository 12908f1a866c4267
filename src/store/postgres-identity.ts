// The PostgreSQL store's identity tables (SPEC §5, §12): name secrets, bans by name key and by
// address, and the re-keying of rows stored under an older key function.
import type pg from 'pg';
import { nameKey } from '../domain/names.js';
import { titleKey } from '../domain/room.js';
import type { BanRecord, NameSecretRecord } from './store.js';

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** PostgreSQL text cannot hold U+0000; names never do, addresses never do, but keep writes total. */
const clean = (params: unknown[]) => params.map((p) => (typeof p === 'string' ? p.replaceAll('\0', '\uFFFD') : p));

export class PostgresIdentity {
  constructor(private readonly pool: pg.Pool) {}

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[], db: pg.ClientBase | pg.Pool = this.pool): Promise<R[]> {
    return (await db.query<R>(sql, clean(params))).rows;
  }

  /**
   * Rooms and bans stored under the old keys (NFC lower-case) get their skeleton keys; runs under
   * the migration lock. A room whose new key another room already has keeps its old key.
   */
  async rekey(c: pg.ClientBase): Promise<void> {
    const rooms = await this.rows<{ id: number; title: string }>('SELECT id, title FROM rooms WHERE title_key_version < 2', [], c);
    for (const r of rooms) {
      const key = titleKey(r.title);
      await c.query(
        `UPDATE rooms SET title_key = $1, title_key_version = 2
         WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM rooms o WHERE o.title_key = $1 AND o.id <> $2)`,
        [key, r.id],
      );
    }
    const bans = await this.rows<{ room_id: number; name_key: string }>('SELECT room_id, name_key FROM bans WHERE key_version < 2', [], c);
    for (const b of bans) {
      const key = nameKey(b.name_key);
      await c.query('DELETE FROM bans WHERE room_id = $1 AND name_key = $2 AND key_version = 2 AND $2 <> $3', [b.room_id, key, b.name_key]);
      await c.query('UPDATE bans SET name_key = $1, key_version = 2 WHERE room_id = $2 AND name_key = $3', [key, b.room_id, b.name_key]);
    }
  }

  async ban(roomId: number, key: string, name: string | undefined): Promise<void> {
    // A ban of a room deleted meanwhile inserts nothing instead of failing on the foreign key.
    await this.rows(
      'INSERT INTO bans (room_id, name_key, name, created_at) SELECT id, $2, $3, $4 FROM rooms WHERE id = $1 ON CONFLICT DO NOTHING',
      [roomId, key, name ?? key, new Date().toISOString()],
    );
  }

  async unban(roomId: number, key: string): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('DELETE FROM address_bans WHERE room_id = $1 AND name_key = $2', clean([roomId, key]));
      const { rowCount } = await c.query('DELETE FROM bans WHERE room_id = $1 AND name_key = $2', clean([roomId, key]));
      await c.query('COMMIT');
      c.release();
      return (rowCount ?? 0) > 0;
    } catch (err) {
      await c.query('ROLLBACK').then(
        () => c.release(),
        () => c.release(true),
      );
      throw err;
    }
  }

  async bans(roomId: number): Promise<BanRecord[]> {
    const rows = await this.rows<{ name: string | null; name_key: string; since: string; until: string | null }>(
      `SELECT b.name, b.name_key, ${iso('b.created_at')} AS since,
         (SELECT ${iso('max(a.until)')} FROM address_bans a WHERE a.room_id = b.room_id AND a.name_key = b.name_key AND a.until > now()) AS until
       FROM bans b WHERE b.room_id = $1 ORDER BY b.created_at, b.name_key`,
      [roomId],
    );
    return rows.map((r) => ({ name: r.name ?? r.name_key, since: r.since, addressBanUntil: r.until }));
  }

  async banAddress(roomId: number, address: string, key: string, until: string): Promise<void> {
    await this.rows(
      // Only while the name is banned: a kick (ban, then lift) must not leave the address banned
      // when a node records it after the lift.
      `INSERT INTO address_bans (room_id, address, name_key, until)
       SELECT id, $2, $3, $4 FROM rooms WHERE id = $1 AND EXISTS (SELECT 1 FROM bans WHERE room_id = $1 AND name_key = $3)
       ON CONFLICT (room_id, address) DO UPDATE SET name_key = excluded.name_key, until = excluded.until
       WHERE excluded.until > address_bans.until`,
      [roomId, address, key, until],
    );
  }

  async isAddressBanned(roomId: number, address: string): Promise<boolean> {
    return (await this.rows('SELECT 1 FROM address_bans WHERE room_id = $1 AND address = $2 AND until > now()', [roomId, address])).length > 0;
  }

  async addNameSecret(roomId: number, key: string, hash: string, name: string): Promise<void> {
    const now = new Date().toISOString();
    await this.rows(
      `INSERT INTO name_secrets (room_id, secret_hash, name_key, name, created_at, last_used)
       SELECT id, $2, $3, $5, $4, $4 FROM rooms WHERE id = $1 ON CONFLICT DO NOTHING`,
      [roomId, hash, key, now, name],
    );
  }

  async nameSecret(roomId: number, hash: string): Promise<NameSecretRecord | undefined> {
    const [row] = await this.rows<NameSecretRecord>(
      `SELECT name_key AS "nameKey", name, ${iso('last_used')} AS "lastUsed" FROM name_secrets WHERE room_id = $1 AND secret_hash = $2`,
      [roomId, hash],
    );
    return row;
  }

  async touchNameSecret(roomId: number, hash: string): Promise<void> {
    await this.rows('UPDATE name_secrets SET last_used = $3 WHERE room_id = $1 AND secret_hash = $2', [roomId, hash, new Date().toISOString()]);
  }
}
