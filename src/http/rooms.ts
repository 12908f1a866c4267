// /chats and /chats/:room — rooms (SPEC §1).
import type { FastifyInstance } from 'fastify';
import { hashSecret, newOwnerKey } from '../auth/passwords.js';
import { AppError } from '../domain/errors.js';
import { validRetention } from '../domain/conversation.js';
import { parseNewRoom, parseRoomPatch } from '../domain/room.js';
import { CLOSE } from '../realtime/connection.js';
import { encode } from '../realtime/events.js';
import { presenceWithReads } from '../realtime/presence.js';
import { DuplicateTitleError, type RoomRecord, type RoomUpdate } from '../store/store.js';
import { rateLimit, type Deps } from './deps.js';
import { objectBody, roomJson } from './json.js';
import { NewRoomBody, RoomParams, UpdateRoomBody } from './schemas.js';

type RoomReq = { Params: { room: string } };

export async function roomRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { store, broker, access, config } = deps;
  const tags = ['rooms'];

  app.get('/chats', { schema: { tags, summary: 'Public and private rooms, newest activity first' } }, async () => {
    const rooms = await store.listRooms();
    return Promise.all(rooms.map(async (r) => roomJson(r, await broker.presence(r.id), r.visibility === 'public')));
  });

  app.post(
    '/chats',
    {
      schema: { tags, summary: 'Create a room; the answer carries the owner key, shown this once', body: NewRoomBody },
      config: rateLimit(config.limits.roomsPerHour, '1 hour', (req) => req.ip),
    },
    async (req, reply) => {
      const input = parseNewRoom(objectBody(req.body, NewRoomBody, 103, 105));
      if (await store.roomByTitle(input.title)) throw new AppError(102, 'title');
      const ownerKey = newOwnerKey();
      const [ownerKeyHash, passwordHash] = await Promise.all([
        hashSecret(ownerKey),
        input.password === null ? null : hashSecret(input.password),
      ]);
      const room = await store
        .createRoom({ title: input.title, description: input.description, visibility: input.visibility, passwordHash, ownerKeyHash })
        .catch(duplicateTitle);
      reply.code(201);
      return { ...roomJson(room, [], true), owner_key: ownerKey };
    },
  );

  app.get<RoomReq>('/chats/:room', { schema: { tags, summary: 'One room by id or title', params: RoomParams } }, async (req) => {
    const room = await access.room(req.params.room);
    // users of private and hidden rooms only with a valid token; a stale token just hides them.
    const showUsers = room.visibility === 'public' || (await access.fromHeader(room, req.headers.authorization).catch(() => null)) !== null;
    return roomJson(room, await presenceWithReads(store, broker, room.id), showUsers);
  });

  app.put<RoomReq>(
    '/chats/:room',
    { schema: { tags, summary: "Update a room (owner token)", params: RoomParams, body: UpdateRoomBody } },
    async (req) => {
      const room = await access.room(req.params.room);
      await access.requireOwner(room, req.headers.authorization);
      const patch = parseRoomPatch(objectBody(req.body, UpdateRoomBody, 103), {
        visibility: room.visibility,
        hasPassword: room.passwordHash !== null,
      });
      if (patch.title !== undefined) {
        const other = await store.roomByTitle(patch.title);
        if (other && other.id !== room.id) throw new AppError(102, 'title');
      }
      const body = req.body as Record<string, unknown>;
      const retention = body.retention_seconds === undefined ? undefined : validRetention(body.retention_seconds);
      const { password, ...fields } = patch;
      // A new password or visibility revokes every member token issued before it.
      const revoke = password !== undefined || (patch.visibility !== undefined && patch.visibility !== room.visibility);
      const update: RoomUpdate = { ...fields, bumpTokenGen: revoke };
      if (retention !== undefined) update.retentionSeconds = retention;
      if (password !== undefined) update.passwordHash = password === null ? null : await hashSecret(password);
      const updated = await store.updateRoom(room.id, update).catch(duplicateTitle);
      if (!updated) throw new AppError(101);
      const users = await broker.presence(room.id);
      await broker.publish(room.id, {
        data: encode.roomUpdated(room.id, roomJson(updated, [], false)),
        ...(revoke && { revokeBelowGen: updated.tokenGen }),
      });
      return roomJson(updated, users, true);
    },
  );

  app.delete<RoomReq>('/chats/:room', { schema: { tags, summary: 'Delete a room (owner token)', params: RoomParams } }, async (req) => {
    const room = await access.room(req.params.room);
    await access.requireOwner(room, req.headers.authorization);
    if (!(await store.deleteRoom(room.id))) throw new AppError(101);
    await broker.publish(room.id, { data: encode.roomDeleted(room.id), close: { code: CLOSE.normal, reason: 'room deleted' } });
    await broker.clearRoom(room.id);
    return { status: true };
  });
}

function duplicateTitle(err: unknown): never {
  // Two creations of one title can race past the lookup; the unique index decides.
  if (err instanceof DuplicateTitleError) throw new AppError(102, 'title');
  throw err;
}

export type { RoomRecord };
