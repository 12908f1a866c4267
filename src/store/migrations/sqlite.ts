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
  // v2, identity (SPEC §12): name secrets, message authors and trips, skeleton keys, address bans.
  // Rows keyed before (title_key, bans.name_key: NFC lower-case) are marked version 1 and re-keyed
  // by the store's init(); new rows default to version 2.
  `
  ALTER TABLE rooms ADD COLUMN title_key_version INTEGER NOT NULL DEFAULT 2;
  UPDATE rooms SET title_key_version = 1;
  ALTER TABLE bans ADD COLUMN name TEXT;
  ALTER TABLE bans ADD COLUMN key_version INTEGER NOT NULL DEFAULT 2;
  UPDATE bans SET key_version = 1, name = name_key;
  ALTER TABLE messages ADD COLUMN author TEXT;
  ALTER TABLE messages ADD COLUMN trip TEXT;
  CREATE TABLE name_secrets (
    room_id     INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_used   TEXT NOT NULL,
    PRIMARY KEY (room_id, secret_hash)
  ) WITHOUT ROWID;
  CREATE TABLE address_bans (
    room_id  INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    address  TEXT NOT NULL,
    name_key TEXT NOT NULL,
    until    TEXT NOT NULL,
    PRIMARY KEY (room_id, address)
  ) WITHOUT ROWID;
  `,
  // (§7) Conversations: replies, mentions, reactions, read positions, retention, search.
  // messages_fts is contentless: its rowid is (room_id << 32) + seq, since messages has no
  // rowid of its own; triggers keep it in step with every writer (the append thread included).
  `
  ALTER TABLE rooms ADD COLUMN retention_seconds INTEGER;
  ALTER TABLE messages ADD COLUMN reply_id TEXT;
  ALTER TABLE messages ADD COLUMN reply_seq INTEGER;
  ALTER TABLE messages ADD COLUMN reply_name TEXT;
  ALTER TABLE messages ADD COLUMN reply_excerpt TEXT;
  ALTER TABLE messages ADD COLUMN mentions TEXT;
  -- A plain rowid table: rowid orders the reactions of a message as they came.
  CREATE TABLE reactions (
    room_id    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    emoji      TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (room_id, seq, emoji, name_key),
    FOREIGN KEY (room_id, seq) REFERENCES messages (room_id, seq) ON DELETE CASCADE
  );
  CREATE TABLE read_positions (
    room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    name_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (room_id, name_key)
  ) WITHOUT ROWID;
  CREATE VIRTUAL TABLE messages_fts USING fts5(msg, content='', contentless_delete=1, tokenize='trigram');
  INSERT INTO messages_fts (rowid, msg) SELECT (room_id << 32) + seq, msg FROM messages WHERE deleted = 0;
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted = 0 BEGIN
    INSERT INTO messages_fts (rowid, msg) VALUES ((new.room_id << 32) + new.seq, new.msg);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF msg, deleted ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = (old.room_id << 32) + old.seq;
    INSERT INTO messages_fts (rowid, msg) SELECT (new.room_id << 32) + new.seq, new.msg WHERE new.deleted = 0;
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = (old.room_id << 32) + old.seq;
  END;
  -- A deleted message takes its reactions along.
  CREATE TRIGGER messages_deleted_reactions AFTER UPDATE OF deleted ON messages WHEN new.deleted = 1 BEGIN
    DELETE FROM reactions WHERE room_id = new.room_id AND seq = new.seq;
  END;
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
