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
import { seqParam } from './messages.js';
import { NewRoomBody, RoomListQuery, RoomParams, UpdateRoomBody } from './schemas.js';

type RoomReq = { Params: { room: string } };

/** GET /chats pages (SPEC §6): at most ROOM_PAGE_MAX rooms an answer, ROOM_PAGE_DEFAULT unless asked. */
const ROOM_PAGE_DEFAULT = 100;
const ROOM_PAGE_MAX = 500;

/** A page's cursor: where its last room stands in the listing's order, opaque to clients. */
function cursorOf(room: RoomRecord): string {
  return Buffer.from(JSON.stringify([room.lastActivity, room.id])).toString('base64url');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function readCursor(raw: string): { lastActivity: string; id: number } {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [lastActivity, id] = value as [unknown, unknown];
      if (typeof lastActivity === 'string' && ISO_TIME.test(lastActivity) && Number.isSafeInteger(id)) {
        return { lastActivity, id: id as number };
      }
    }
  } catch {
    /* not base64url JSON: refused below */
  }
  throw new AppError(105, 'before');
}

export async function roomRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { store, broker, access, config } = deps;
  const tags = ['rooms'];

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/chats',
    {
      schema: {
        tags,
        summary: 'Public and private rooms, newest activity first, a page at a time (Link rel="next", X-Has-More)',
        querystring: RoomListQuery,
      },
    },
    async (req, reply) => {
      const limit = seqParam(req.query.limit, 'limit', 1) ?? ROOM_PAGE_DEFAULT;
      if (limit > ROOM_PAGE_MAX) throw new AppError(105, 'limit');
      const after = req.query.before === undefined ? undefined : readCursor(req.query.before);
      // One more than asked tells whether another page follows.
      const rooms = await store.listRooms({ limit: limit + 1, ...(after && { after }) });
      const hasMore = rooms.length > limit;
      const page = rooms.slice(0, limit);
      reply.header('X-Has-More', String(hasMore));
      if (hasMore) reply.header('Link', `</chats?limit=${limit}&before=${cursorOf(page[page.length - 1]!)}>; rel="next"`);
      return Promise.all(page.map(async (r) => roomJson(r, await broker.presence(r.id), r.visibility === 'public')));
    },
  );

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
    const room = await access.roomFor(req.params.room, req.headers.authorization);
    // users of private and hidden rooms only with a valid token; a stale token just hides them.
    const showUsers = room.visibility === 'public' || (await access.fromHeader(room, req.headers.authorization).catch(() => null)) !== null;
    return roomJson(room, await presenceWithReads(store, broker, room.id), showUsers);
  });

  app.put<RoomReq>(
    '/chats/:room',
    { schema: { tags, summary: "Update a room (owner token)", params: RoomParams, body: UpdateRoomBody } },
    async (req) => {
      const room = await access.roomFor(req.params.room, req.headers.authorization);
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
    const room = await access.roomFor(req.params.room, req.headers.authorization);
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
