// /chats/:room/bans — moderation (SPEC §5).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { nameKey, validName } from '../domain/names.js';
import { CLOSE } from '../realtime/connection.js';
import { encode } from '../realtime/events.js';
import type { Deps } from './deps.js';
import { objectBody } from './json.js';
import { BanBody, RoomParams } from './schemas.js';

export async function banRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { access, store, broker } = deps;
  const tags = ['moderation'];

  app.post<{ Params: { room: string } }>(
    '/chats/:room/bans',
    { schema: { tags, summary: "Ban a name: its sockets get `kicked` and close; it cannot come back", params: RoomParams, body: BanBody } },
    async (req, reply) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireOwner(room, req.headers.authorization);
      const name = validName(objectBody(req.body, BanBody, 203).name);
      const key = nameKey(name);
      await store.ban(room.id, key);
      await broker.publish(room.id, {
        data: encode.kicked(room.id, name),
        onlyName: key,
        close: { code: CLOSE.policy, reason: 'banned' },
      });
      reply.code(201);
      return { status: true, name };
    },
  );

  app.delete<{ Params: { room: string; name: string } }>(
    '/chats/:room/bans/:name',
    { schema: { tags, summary: 'Lift a ban' } },
    async (req) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireOwner(room, req.headers.authorization);
      const name = validName(req.params.name);
      if (!(await store.unban(room.id, nameKey(name)))) throw new AppError(201, 'name');
      return { status: true, name };
    },
  );
}
