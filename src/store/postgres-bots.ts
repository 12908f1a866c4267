// The PostgreSQL driver's bots (SPEC §11), kept apart from the message path.
import type pg from 'pg';
import type { BotRecord } from './store.js';

const COLUMNS = `room_id AS "roomId", name_key AS "nameKey", name, bot_id AS "botId", hook_hash AS "hookHash",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

export function postgresBots(pool: pg.Pool) {
  const rows = async (sql: string, params: unknown[]) => (await pool.query<BotRecord>(sql, params)).rows;
  return {
    createBot: async (b: BotRecord) =>
      ((
        await pool.query(
          `INSERT INTO bots (room_id, name_key, name, bot_id, hook_hash, created_at)
           SELECT id, $2, $3, $4, $5, $6 FROM rooms WHERE id = $1 ON CONFLICT DO NOTHING`,
          [b.roomId, b.nameKey, b.name, b.botId, b.hookHash, b.createdAt],
        )
      ).rowCount ?? 0) > 0,
    bot: async (roomId: number, nameKey: string) =>
      (await rows(`SELECT ${COLUMNS} FROM bots WHERE room_id = $1 AND name_key = $2`, [roomId, nameKey]))[0],
    botByHook: async (hookHash: string) => (await rows(`SELECT ${COLUMNS} FROM bots WHERE hook_hash = $1`, [hookHash]))[0],
    listBots: async (roomId: number) => rows(`SELECT ${COLUMNS} FROM bots WHERE room_id = $1 ORDER BY created_at, name_key`, [roomId]),
    deleteBot: async (roomId: number, nameKey: string) =>
      ((await pool.query('DELETE FROM bots WHERE room_id = $1 AND name_key = $2', [roomId, nameKey])).rowCount ?? 0) > 0,
  };
}
