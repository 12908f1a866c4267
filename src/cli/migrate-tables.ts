// The tables `chitchat migrate` copies from SQLite into PostgreSQL, parents before children.
// A feature that adds a table adds one entry here: its name and the columns of its primary key.
// Columns are read from both databases (those they share are copied) and values are converted by
// the PostgreSQL column's type, so a new column needs no entry at all.

export interface MigratedTable {
  name: string;
  /** The primary key: a rerun updates the row with this key instead of adding a second one. */
  key: readonly string[];
  /** A column filled by an identity sequence, moved past the copied ids so new rows continue. */
  identity?: string;
}

export const MIGRATED_TABLES: readonly MigratedTable[] = [
  { name: 'rooms', key: ['id'], identity: 'id' },
  { name: 'messages', key: ['room_id', 'seq'] },
  { name: 'bans', key: ['room_id', 'name_key'] },
  { name: 'bots', key: ['room_id', 'name_key'] },
  // Identity (SPEC §12): name secrets (hashes) and address bans.
  { name: 'name_secrets', key: ['room_id', 'secret_hash'] },
  { name: 'address_bans', key: ['room_id', 'address'] },
  // Conversations (SPEC §7); the search index is derived (triggers, the trigram index), not copied.
  { name: 'reactions', key: ['room_id', 'seq', 'emoji', 'name_key'] },
  { name: 'read_positions', key: ['room_id', 'name_key'] },
];
