// /chats/:room/bots and incoming webhooks (SPEC §11). A bot is a name the owner gives to a
// program: a token with role `bot` for the socket and the API, and a webhook URL that posts as
// it. Both are revoked together by deleting the bot.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { validMessageText } from '../domain/message.js';
import { nameKey, validName } from '../domain/names.js';
import { CLOSE } from '../realtime/connection.js';
import type { BotRecord } from '../store/store.js';
import { rateLimit, type Deps } from './deps.js';
import { formPayload, objectBody } from './json.js';
import { BotBody, RoomParams, WebhookBody } from './schemas.js';

/** The colour of bots' names: they have no person to choose one. */
export const BOT_COLOR = '#546e7a';

const hookHash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export async function botRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { access, store, broker, writer, config } = deps;
  const tags = ['bots'];

  app.post<{ Params: { room: string } }>(
    '/chats/:room/bots',
    { schema: { tags, summary: 'Create a bot: a token with role `bot` and an incoming webhook URL (owner only)', params: RoomParams, body: BotBody } },
    async (req, reply) => {
      const room = await access.room(req.params.room);
      await access.requireOwner(room, req.headers.authorization);
      const name = validName(objectBody(req.body, BotBody, 203, 105).name);
      const key = nameKey(name);
      if (await store.isBanned(room.id, key)) throw new AppError(204, 'name');
      // Someone speaking under the name now would go on doing so without the badge.
      if ((await broker.presence(room.id)).some((u) => nameKey(u.username) === key)) throw new AppError(202, 'name');
      const secret = randomBytes(32).toString('base64url');
      const bot: BotRecord = {
        roomId: room.id,
        name,
        nameKey: key,
        botId: randomBytes(16).toString('hex'),
        hookHash: hookHash(secret),
        createdAt: new Date().toISOString(),
      };
      if (!(await store.createBot(bot))) throw new AppError(202, 'name');
      const { token, expiresAt } = await access.tokens.issue(room.id, name, 'bot', room.tokenGen, bot.botId);
      reply.code(201);
      return {
        status: true,
        name,
        room_id: room.id,
        token,
        role: 'bot',
        expires_at: expiresAt.toISOString(),
        webhook_url: `${config.publicUrl?.replace(/\/+$/, '') ?? origin(req)}/hooks/${secret}`,
      };
    },
  );

  app.get<{ Params: { room: string } }>(
    '/chats/:room/bots',
    { schema: { tags, summary: "The room's bots (owner only)", params: RoomParams } },
    async (req) => {
      const room = await access.room(req.params.room);
      await access.requireOwner(room, req.headers.authorization);
      return (await store.listBots(room.id)).map((b) => ({ name: b.name, created_at: b.createdAt }));
    },
  );

  app.delete<{ Params: { room: string; name: string } }>(
    '/chats/:room/bots/:name',
    { schema: { tags, summary: "Revoke a bot's token and webhook (owner only); its sockets close" } },
    async (req) => {
      const room = await access.room(req.params.room);
      await access.requireOwner(room, req.headers.authorization);
      const name = validName(req.params.name);
      const key = nameKey(name);
      if (!(await store.deleteBot(room.id, key))) throw new AppError(201, 'name');
      await broker.publish(room.id, { data: '', onlyName: key, close: { code: CLOSE.policy, reason: 'bot revoked' } });
      return { status: true, name };
    },
  );

  app.post<{ Params: { hook: string } }>(
    '/hooks/:hook',
    {
      schema: {
        tags,
        summary: 'Incoming webhook: `{"msg": …}` or Slack\'s `{"text": …}` posts to the room as the bot',
        body: WebhookBody,
      },
      config: rateLimit(config.webhookPerMinute, '1 minute', (req) => `hook ${hookHash((req.params as { hook: string }).hook)}`),
    },
    async (req) => {
      const bot = /^[\w-]{43}$/.test(req.params.hook) ? await store.botByHook(hookHash(req.params.hook)) : undefined;
      if (!bot) throw new AppError(403, 'webhook');
      const body = objectBody(formPayload(req), WebhookBody, 303, 105);
      const field = body.msg !== undefined ? 'msg' : 'text';
      const raw = body.msg ?? (typeof body.text === 'string' ? slackUnescape(body.text) : undefined);
      let msg: string;
      try {
        msg = validMessageText(raw);
      } catch {
        throw new AppError(105, field);
      }
      if (await store.isBanned(bot.roomId, bot.nameKey)) throw new AppError(204, 'name');
      const result = await writer.append({ roomId: bot.roomId, name: bot.name, color: BOT_COLOR, msg, clientId: null, bot: true });
      if (!result.ok) throw new AppError(101);
      return { status: true, id: result.message.id, seq: result.message.seq };
    },
  );
}

/** The origin the request came to, for the webhook URL handed back. */
/** Without CHITCHAT_PUBLIC_URL, the origin the request came to (behind a trusted proxy, the one it forwards). */
function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/** Slack's clients escape these three in `text`; the message shows what they meant. */
function slackUnescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
