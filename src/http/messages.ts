// /chats/:room/messages — history (SPEC §1).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { messageJson } from '../domain/message.js';
import type { Deps } from './deps.js';
import { HistoryQuery, RoomParams } from './schemas.js';

type Req = { Params: { room: string }; Querystring: Record<string, string | undefined> };

export async function messageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { access, store } = deps;
  app.get<Req>(
    '/chats/:room/messages',
    { schema: { tags: ['messages'], summary: 'Message history, ascending seq', params: RoomParams, querystring: HistoryQuery } },
    async (req) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireReader(room, req.headers.authorization);
      const before = seqParam(req.query.before, 'before', 1);
      const after = seqParam(req.query.after, 'after', 0);
      const limit = seqParam(req.query.limit, 'limit', 1) ?? 50;
      if (limit > 200) throw new AppError(105, 'limit');
      const page = await store.messages(room.id, { before, after, limit });
      return { messages: page.messages.map(messageJson), has_more: page.hasMore };
    },
  );
}

export function seqParam(raw: string | undefined, field: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min) throw new AppError(105, field);
  return Number(raw);
}
