// /chats/:room/token — room password or owner key → token (SPEC §2).
import type { FastifyInstance } from 'fastify';
import { presentedIdentity } from '../auth/identity.js';
import type { Role } from '../auth/tokens.js';
import { AppError } from '../domain/errors.js';
import { nameKey, validName } from '../domain/names.js';
import type { RoomRecord } from '../store/store.js';
import { rateLimit, type Deps } from './deps.js';
import { objectBody } from './json.js';
import { RoomParams, TokenBody } from './schemas.js';

type RoomReq = { Params: { room: string } };

export async function tokenRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { access, store, config, identities } = deps;
  const tags = ['tokens'];

  async function issue(room: RoomRecord, name: string, role: Role, botId?: string) {
    const { token, expiresAt } = await access.tokens.issue(room.id, name, role, room.tokenGen, botId);
    return { status: true, name, room_id: room.id, token, role, expires_at: expiresAt.toISOString() };
  }

  app.post<RoomReq>(
    '/chats/:room/token',
    {
      schema: { tags, summary: 'Get a member token (room password) or an owner token (owner key)', params: RoomParams, body: TokenBody },
      // Keyed by the room itself, not the path: `/chats/2`, `/chats/002` and `/chats/my%20room` share one budget.
      // Rooms that do not exist share one key per address: fresh names cannot grow the state.
      config: rateLimit(config.limits.tokensPerMinute, '1 minute', async (req) => {
        const room = await access.anyRoom((req.params as { room: string }).room).catch(() => undefined);
        return `${req.ip} ${room ? room.id : '?'}`;
      }),
    },
    async (req, reply) => {
      const room = await access.anyRoom(req.params.room);
      // A hidden room asked for by id: only the right password or owner key may tell it exists.
      if (!access.concealed(room, req.params.room)) return grant(room, req.body, req.ip, reply);
      return grant(room, req.body, req.ip, reply).catch((err: unknown) => {
        throw err instanceof AppError ? new AppError(101) : err;
      });
    },
  );

  async function grant(room: RoomRecord, body: unknown, ip: string, reply: { code(n: number): unknown }) {
    const raw = body as { owner_key?: unknown } | undefined;
    if (room.visibility === 'public' && (typeof raw !== 'object' || raw === null || !raw.owner_key)) {
      // Seed behaviour: a public room needs no token, whatever the body says.
      reply.code(200);
      return { status: true };
    }
    const fields = objectBody(body, TokenBody, 303);
    // A name secret, when given, must be the name's (SPEC §12); the socket then joins with it.
    const checkSecret = async (name: string) => {
      if (fields.name_secret !== undefined) await presentedIdentity(store, identities, room.id, nameKey(name), fields.name_secret);
    };
    const ownerKey = fields.owner_key;
    if (typeof ownerKey === 'string' && ownerKey !== '') {
      const name = validName(fields.name);
      if (!(await access.ownerKeyMatches(room, ownerKey))) throw new AppError(304, 'owner_key');
      await checkSecret(name);
      reply.code(201);
      return issue(room, name, 'owner');
    }
    const secret = fields.secret;
    if (typeof secret !== 'string' || secret === '' || !(await access.passwordMatches(room, secret))) {
      throw new AppError(304, 'secret');
    }
    const name = validName(fields.name);
    if (await store.isBanned(room.id, nameKey(name))) throw new AppError(204, 'name');
    if (await store.isAddressBanned(room.id, ip)) throw new AppError(204, 'name');
    // A bot's name is the bot's alone (SPEC §11).
    if (await store.bot(room.id, nameKey(name))) throw new AppError(202, 'name');
    await checkSecret(name);
    reply.code(201);
    return issue(room, name, 'member');
  }

  const renew = async (req: { params: { room: string }; headers: { authorization?: string } }, reply: { code(n: number): unknown }) => {
    const room = await access.roomFor(req.params.room, req.headers.authorization);
    const claims = await access.fromHeader(room, req.headers.authorization);
    if (!claims) {
      if (room.visibility !== 'public') throw new AppError(304, 'token');
      // Seed behaviour, as for POST …/token: a public room needs no token.
      reply.code(200);
      return { status: true };
    }
    reply.code(201);
    return issue(room, claims.name, claims.role, claims.botId);
  };
  const renewSchema = { schema: { tags, summary: 'A fresh token for the same name, room and role', params: RoomParams } };
  app.get<RoomReq>('/chats/:room/token/renew', renewSchema, renew);
  app.post<RoomReq>('/chats/:room/token/renew', renewSchema, renew);
}
