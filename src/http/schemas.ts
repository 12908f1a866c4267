// Request body schemas: checked by objectBody() and published in the OpenAPI document.
import { Type } from '@sinclair/typebox';

const loose = { additionalProperties: true } as const;

export const NewRoomBody = Type.Object(
  {
    title: Type.String({ description: '2–70 characters, unique ignoring case, not only digits' }),
    description: Type.Optional(Type.String({ description: 'at most 70 characters' })),
    visibility: Type.Optional(Type.String({ description: 'public (default), private or hidden; any case' })),
    password: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: '8–128 characters; required for private and hidden rooms, refused for public ones' })),
  },
  loose,
);

export const UpdateRoomBody = Type.Object(
  {
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    visibility: Type.Optional(Type.String()),
    password: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'a new password; revokes member tokens' })),
    retention_seconds: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], { description: 'messages older than this disappear (60–31536000); null keeps them forever' }),
    ),
  },
  loose,
);

export const TokenBody = Type.Object(
  {
    name: Type.String({ description: 'the chat name the token is bound to (1–32 characters)' }),
    secret: Type.Optional(Type.String({ description: 'the room password → member token' })),
    owner_key: Type.Optional(Type.String({ description: 'the owner key from creation (or the admin key) → owner token' })),
    name_secret: Type.Optional(Type.String({ description: "the name's secret (from the `identity` event): checked, then join with it" })),
  },
  loose,
);

export const BanBody = Type.Object({ name: Type.String() }, loose);

export const BotBody = Type.Object({ name: Type.String({ description: "the bot's name (1–32 characters); no person can join under it" }) }, loose);

export const WebhookBody = Type.Object(
  {
    msg: Type.Optional(Type.String({ description: 'the message (1–4000 characters)' })),
    text: Type.Optional(Type.String({ description: "Slack's field, used when msg is absent; &amp; &lt; &gt; are unescaped" })),
  },
  loose,
);

export const RoomParams = Type.Object({ room: Type.String({ description: 'room id or title (case-insensitive)' }) });

export const HistoryQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  around: Type.Optional(Type.Integer({ minimum: 1, description: 'the page centred on this seq (not with before or after)' })),
});

export const SearchQuery = Type.Object({
  q: Type.String({ description: '3–200 characters; every whitespace-separated term must occur, ignoring case; one term needs 3+ characters' }),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only matches below this seq (the next page)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const RoomListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before: Type.Optional(Type.String({ description: 'The cursor of the previous page (its Link header)' })),
});

export const ErrorReply = Type.Object({
  status: Type.Literal(false),
  error: Type.Object({ code: Type.Integer(), error: Type.String(), field: Type.Optional(Type.String()) }),
});
