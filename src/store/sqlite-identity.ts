// The SQLite store's identity tables (SPEC §5, §12): name secrets, bans by name key and by
// address, and the re-keying of rows stored under an older key function.
import type Database from 'better-sqlite3';
import { nameKey } from '../domain/names.js';
import { titleKey } from '../domain/room.js';
import type { BanRecord, NameSecretRecord } from './store.js';

interface BanRow {
  name: string | null;
  name_key: string;
  created_at: string;
  until: string | null;
}

export class SqliteIdentity {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      ban: db.prepare<[number, string, string, string]>(
        'INSERT OR IGNORE INTO bans (room_id, name_key, name, created_at) VALUES (?, ?, ?, ?)',
      ),
      unban: db.prepare<[number, string]>('DELETE FROM bans WHERE room_id = ? AND name_key = ?'),
      unbanAddresses: db.prepare<[number, string]>('DELETE FROM address_bans WHERE room_id = ? AND name_key = ?'),
      bans: db.prepare<[string, number], BanRow>(
        `SELECT b.name, b.name_key, b.created_at,
           (SELECT max(a.until) FROM address_bans a WHERE a.room_id = b.room_id AND a.name_key = b.name_key AND a.until > ?) AS until
         FROM bans b WHERE b.room_id = ? ORDER BY b.created_at, b.name_key`,
      ),
      // Only while the name is banned: a kick (ban, then lift) must not leave the address banned
      // when a node records it after the lift.
      banAddress: db.prepare<{ roomId: number; address: string; key: string; until: string }>(
        `INSERT INTO address_bans (room_id, address, name_key, until)
         SELECT @roomId, @address, @key, @until WHERE EXISTS (SELECT 1 FROM bans WHERE room_id = @roomId AND name_key = @key)
         ON CONFLICT (room_id, address) DO UPDATE SET name_key = excluded.name_key, until = excluded.until
         WHERE excluded.until > address_bans.until`,
      ),
      addressBanned: db.prepare<[number, string, string], { one: number }>(
        'SELECT 1 AS one FROM address_bans WHERE room_id = ? AND address = ? AND until > ?',
      ),
      addSecret: db.prepare<[number, string, string, string, string, string]>(
        'INSERT OR IGNORE INTO name_secrets (room_id, secret_hash, name_key, name, created_at, last_used) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      secret: db.prepare<[number, string], { name_key: string; name: string; last_used: string }>(
        'SELECT name_key, name, last_used FROM name_secrets WHERE room_id = ? AND secret_hash = ?',
      ),
      touchSecret: db.prepare<[string, number, string]>('UPDATE name_secrets SET last_used = ? WHERE room_id = ? AND secret_hash = ?'),
    };
  }

  /**
   * Rooms and bans stored under the old keys (NFC lower-case) get their skeleton keys. A room
   * whose new key another room already has keeps its old key (it stays reachable by id).
   */
  rekey(): void {
    const rooms = this.db.prepare<[], { id: number; title: string }>('SELECT id, title FROM rooms WHERE title_key_version < 2').all();
    const setRoom = this.db.prepare<[string, number]>('UPDATE OR IGNORE rooms SET title_key = ?, title_key_version = 2 WHERE id = ?');
    const bans = this.db
      .prepare<[], { room_id: number; name_key: string }>('SELECT room_id, name_key FROM bans WHERE key_version < 2')
      .all();
    const setBan = this.db.prepare<[string, number, string]>(
      'UPDATE OR REPLACE bans SET name_key = ?, key_version = 2 WHERE room_id = ? AND name_key = ?',
    );
    if (rooms.length === 0 && bans.length === 0) return;
    this.db.transaction(() => {
      for (const r of rooms) setRoom.run(titleKey(r.title), r.id);
      for (const b of bans) setBan.run(nameKey(b.name_key), b.room_id, b.name_key);
    }).immediate();
  }

  ban(roomId: number, key: string, name: string | undefined): void {
    this.stmt.ban.run(roomId, key, name ?? key, new Date().toISOString());
  }

  unban(roomId: number, key: string): boolean {
    return this.db.transaction(() => {
      this.stmt.unbanAddresses.run(roomId, key);
      return this.stmt.unban.run(roomId, key).changes > 0;
    })();
  }

  bans(roomId: number): BanRecord[] {
    return this.stmt.bans
      .all(new Date().toISOString(), roomId)
      .map((r) => ({ name: r.name ?? r.name_key, since: r.created_at, addressBanUntil: r.until }));
  }

  banAddress(roomId: number, address: string, key: string, until: string): void {
    // A ban of a room deleted meanwhile is no error.
    try {
      this.stmt.banAddress.run({ roomId, address, key, until });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
    }
  }

  isAddressBanned(roomId: number, address: string): boolean {
    return this.stmt.addressBanned.get(roomId, address, new Date().toISOString()) !== undefined;
  }

  addNameSecret(roomId: number, key: string, hash: string, name: string): void {
    const now = new Date().toISOString();
    try {
      this.stmt.addSecret.run(roomId, hash, key, name, now, now);
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
    }
  }

  nameSecret(roomId: number, hash: string): NameSecretRecord | undefined {
    const row = this.stmt.secret.get(roomId, hash);
    return row && { nameKey: row.name_key, name: row.name, lastUsed: row.last_used };
  }

  touchNameSecret(roomId: number, hash: string): void {
    this.stmt.touchSecret.run(new Date().toISOString(), roomId, hash);
  }
}
