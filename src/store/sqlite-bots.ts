// The SQLite driver's bots (SPEC §11), kept apart from the message path.
import type Database from 'better-sqlite3';
import type { BotRecord } from './store.js';

interface BotRow {
  room_id: number;
  name_key: string;
  name: string;
  bot_id: string;
  hook_hash: string;
  created_at: string;
}

const toBot = (r: BotRow): BotRecord => ({
  roomId: r.room_id,
  nameKey: r.name_key,
  name: r.name,
  botId: r.bot_id,
  hookHash: r.hook_hash,
  createdAt: r.created_at,
});

export function sqliteBots(db: Database.Database) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO bots (room_id, name_key, name, bot_id, hook_hash, created_at)
     SELECT id, @nameKey, @name, @botId, @hookHash, @createdAt FROM rooms WHERE id = @roomId`,
  );
  const one = db.prepare<[number, string], BotRow>('SELECT * FROM bots WHERE room_id = ? AND name_key = ?');
  const byHook = db.prepare<[string], BotRow>('SELECT * FROM bots WHERE hook_hash = ?');
  const list = db.prepare<[number], BotRow>('SELECT * FROM bots WHERE room_id = ? ORDER BY created_at, name_key');
  const remove = db.prepare<[number, string]>('DELETE FROM bots WHERE room_id = ? AND name_key = ?');
  return {
    createBot: async (b: BotRecord) => insert.run(b).changes > 0,
    bot: async (roomId: number, nameKey: string) => {
      const r = one.get(roomId, nameKey);
      return r && toBot(r);
    },
    botByHook: async (hookHash: string) => {
      const r = byHook.get(hookHash);
      return r && toBot(r);
    },
    listBots: async (roomId: number) => list.all(roomId).map(toBot),
    deleteBot: async (roomId: number, nameKey: string) => remove.run(roomId, nameKey).changes > 0,
  };
}
