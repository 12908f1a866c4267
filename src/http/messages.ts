// /chats/:room/messages — history (SPEC §1), the page around a message and search (§7).
import type { FastifyInstance } from 'fastify';
import { searchTerms } from '../domain/conversation.js';
import { AppError } from '../domain/errors.js';
import { messageJson } from '../domain/message.js';
import type { AroundPage } from '../protocol/wire.js';
import type { Store } from '../store/store.js';
import type { Deps } from './deps.js';
import { HistoryQuery, RoomParams, SearchQuery } from './schemas.js';

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
      const around = seqParam(req.query.around, 'around', 1);
      const limit = limitParam(req.query.limit);
      if (around !== undefined) {
        if (before !== undefined || after !== undefined) throw new AppError(105, 'around');
        return aroundPage(store, room.id, around, limit);
      }
      const page = await store.messages(room.id, { before, after, limit });
      return { messages: page.messages.map(messageJson), has_more: page.hasMore };
    },
  );

  app.get<Req>(
    '/chats/:room/search',
    { schema: { tags: ['messages'], summary: 'Messages containing every term, newest first', params: RoomParams, querystring: SearchQuery } },
    async (req) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireReader(room, req.headers.authorization);
      const terms = searchTerms(req.query.q);
      const before = seqParam(req.query.before, 'before', 1);
      const limit = limitParam(req.query.limit);
      const page = await store.search(room.id, { terms, before, limit });
      return { messages: page.messages.map(messageJson), has_more: page.hasMore };
    },
  );
}

/**
 * The page centred on `seq`: half the limit below it, the rest from it upward; a side with
 * fewer messages leaves its share to the other, so the page is full whenever the room is.
 */
async function aroundPage(store: Store, roomId: number, seq: number, limit: number): Promise<AroundPage> {
  const [older, newer] = await Promise.all([
    store.messages(roomId, { before: seq, limit }),
    store.messages(roomId, { after: seq - 1, limit }),
  ]);
  let nOld = Math.min(older.messages.length, Math.floor(limit / 2));
  const nNew = Math.min(newer.messages.length, limit - nOld);
  nOld = Math.min(older.messages.length, limit - nNew);
  return {
    messages: [...older.messages.slice(older.messages.length - nOld), ...newer.messages.slice(0, nNew)].map(messageJson),
    has_more_before: nOld < older.messages.length || older.hasMore,
    has_more_after: nNew < newer.messages.length || newer.hasMore,
  };
}

function limitParam(raw: string | undefined): number {
  const limit = seqParam(raw, 'limit', 1) ?? 50;
  if (limit > 200) throw new AppError(105, 'limit');
  return limit;
}

export function seqParam(raw: string | undefined, field: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min) throw new AppError(105, field);
  return Number(raw);
}
