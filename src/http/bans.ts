// /chats/:room/bans — moderation (SPEC §5). A ban holds the name's confusable skeleton (nameKey),
// closes every socket holding the name, joined or not, and bans their addresses for a while.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { nameKey, validName } from '../domain/names.js';
import { CLOSE } from '../realtime/connection.js';
import { encode } from '../realtime/events.js';
import type { Deps } from './deps.js';
import { objectBody } from './json.js';
import { BanBody, RoomParams } from './schemas.js';

export async function banRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { access, store, broker, config } = deps;
  const tags = ['moderation'];

  app.post<{ Params: { room: string } }>(
    '/chats/:room/bans',
    { schema: { tags, summary: "Ban a name: its sockets get `kicked` and close; it cannot come back", params: RoomParams, body: BanBody } },
    async (req, reply) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireOwner(room, req.headers.authorization);
      const name = validName(objectBody(req.body, BanBody, 203).name);
      const key = nameKey(name);
      await store.ban(room.id, key, name);
      const hours = config.banAddressHours;
      await broker.publish(room.id, {
        data: encode.kicked(room.id, name),
        onlyName: key,
        // '' = no address ban (turned off); each node's sockets record their own address.
        banAddressUntil: hours > 0 ? new Date(Date.now() + hours * 3_600_000).toISOString() : '',
        close: { code: CLOSE.policy, reason: 'banned' },
      });
      reply.code(201);
      return { status: true, name };
    },
  );

  app.get<{ Params: { room: string } }>(
    '/chats/:room/bans',
    { schema: { tags, summary: 'The bans of a room (owner)', params: RoomParams } },
    async (req) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireOwner(room, req.headers.authorization);
      const bans = await store.bans(room.id);
      return bans.map((b) => ({ name: b.name, since: b.since, address_ban_until: b.addressBanUntil }));
    },
  );

  app.delete<{ Params: { room: string; name: string } }>(
    '/chats/:room/bans/:name',
    { schema: { tags, summary: 'Lift a ban, and the address bans that came with it' } },
    async (req) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
      await access.requireOwner(room, req.headers.authorization);
      const name = validName(req.params.name);
      if (!(await store.unban(room.id, nameKey(name)))) throw new AppError(201, 'name');
      return { status: true, name };
    },
  );
}
