// Schema versions for SQLite, applied in order; PRAGMA user_version records the last one applied.
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rooms (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    title_key     TEXT NOT NULL UNIQUE,
    description   TEXT NOT NULL DEFAULT '',
    visibility    TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'hidden')),
    password_hash TEXT,
    owner_key_hash TEXT NOT NULL,
    token_gen     INTEGER NOT NULL DEFAULT 1,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    last_activity TEXT NOT NULL
  );
  CREATE TABLE messages (
    room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    id         TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    color      TEXT NOT NULL,
    msg        TEXT NOT NULL,
    client_id  TEXT,
    created_at TEXT NOT NULL,
    edited_at  TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, seq)
  ) WITHOUT ROWID;
  -- A client_id is the sender's own: two people's clients may pick the same one.
  CREATE UNIQUE INDEX messages_client_id ON messages (room_id, name, client_id) WHERE client_id IS NOT NULL;
  CREATE TABLE bans (
    room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    name_key   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (room_id, name_key)
  ) WITHOUT ROWID;
  `,
  // Bots and incoming webhooks (SPEC §11).
  `
  ALTER TABLE messages ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE bots (
    room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    name_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    bot_id     TEXT NOT NULL,
    hook_hash  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (room_id, name_key)
  ) WITHOUT ROWID;
  `,
];
