// The REST half of the API for the app's screens, through the SDK's RestClient (chitchat/client).
// Failures are values, never exceptions: every call resolves to `{ ok: true, data }` or
// `{ ok: false, status, error }` (status 0 = network failure).
import { ChitChatError } from '../../src/client/errors';
import { RestClient, type FetchLike } from '../../src/client/http';
import type { ApiError, BanEntry, CreatedRoom, MessagePage, Room, TokenGrant, Visibility } from './types';

export type Result<T> = { ok: true; status: number; data: T; headers?: Headers } | { ok: false; status: number; error: ApiError };

/** One page of the lobby's room list; `next` is the path of the following page, if any. */
export interface RoomListPage {
  rooms: Room[];
  next?: string;
}

export interface RoomInput {
  title: string;
  description: string;
  visibility: Visibility;
  password?: string;
}

const NETWORK_ERROR: ApiError = { code: 0, error: 'Cannot reach the server. Check your connection.' };

export function roomPath(room: number | string): string {
  return `/chats/${encodeURIComponent(String(room))}`;
}

// Answers are never cached: a room's people and history change between two looks.
const noStore: FetchLike = (url, init) => fetch(url, { ...init, cache: 'no-store' });
const rest = new RestClient(location.origin, noStore);

export async function call<T>(method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<Result<T>> {
  try {
    const { status, data, headers } = await rest.request<T>(method, path, opts);
    return { ok: true, status, data, ...(headers && { headers: headers as Headers }) };
  } catch (err) {
    if (!(err instanceof ChitChatError)) throw err;
    if (err.status === 0) return { ok: false, status: 0, error: NETWORK_ERROR };
    return { ok: false, status: err.status, error: err.body.code === 0 ? { code: 500, error: err.body.error } : err.body };
  }
}

export const api = {
  /** A page of rooms (SPEC §6: the server pages GET /chats); `path` is a page's `next`. */
  async listRooms(path = '/chats'): Promise<Result<RoomListPage>> {
    const res = await call<Room[]>('GET', path);
    if (!res.ok) return res;
    const next = /^<(\/chats\?[^>]*)>;\s*rel="next"/.exec(res.headers?.get('Link') ?? '')?.[1];
    return { ...res, data: { rooms: Array.isArray(res.data) ? res.data : [], ...(next && { next }) } };
  },
  getRoom: (room: number | string, token?: string) => call<Room>('GET', roomPath(room), { token }),
  createRoom: (input: RoomInput) => call<CreatedRoom>('POST', '/chats', { body: input }),
  updateRoom: (room: number, input: RoomInput, token: string) =>
    call<Room>('PUT', roomPath(room), { body: input, token }),
  deleteRoom: (room: number, token: string) => call<{ status: true }>('DELETE', roomPath(room), { token }),

  /** Member token for a password room; for a public room the server answers without a token. */
  joinWithPassword: (room: number, name: string, secret: string) =>
    call<TokenGrant | { status: true; token?: undefined }>('POST', `${roomPath(room)}/token`, { body: { secret, name } }),
  claimOwnership: (room: number, name: string, ownerKey: string) =>
    call<TokenGrant>('POST', `${roomPath(room)}/token`, { body: { owner_key: ownerKey, name } }),
  renewToken: (room: number, token: string) => call<TokenGrant>('GET', `${roomPath(room)}/token/renew`, { token }),

  messages(room: number, page: { before?: number; after?: number; limit?: number }, token?: string) {
    const q = new URLSearchParams();
    if (page.before !== undefined) q.set('before', String(page.before));
    if (page.after !== undefined) q.set('after', String(page.after));
    if (page.limit !== undefined) q.set('limit', String(page.limit));
    const qs = q.toString();
    return call<MessagePage>('GET', `${roomPath(room)}/messages${qs ? `?${qs}` : ''}`, { token });
  },

  ban: (room: number, name: string, token: string) =>
    call<unknown>('POST', `${roomPath(room)}/bans`, { body: { name }, token }),
  bans: (room: number, token: string) => call<BanEntry[]>('GET', `${roomPath(room)}/bans`, { token }),
  unban: (room: number, name: string, token: string) =>
    call<unknown>('DELETE', `${roomPath(room)}/bans/${encodeURIComponent(name)}`, { token }),
};

/** `since`: replay every message with a greater seq first; omitted, only live traffic. */
export function socketUrl(room: number, since?: number): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${roomPath(room)}/ws${since === undefined ? '' : `?since=${since}`}`;
}

const FIELD_RULES: Record<string, string> = {
  title: 'The title needs 2 to 70 characters and cannot be only digits.',
  description: 'The description can have at most 70 characters.',
  visibility: 'Choose public, private or hidden.',
  password: 'Private and hidden rooms need a password of 8 to 128 characters; public rooms take none.',
  name: 'A name needs 1 to 32 characters, without control characters.',
  msg: 'A message needs 1 to 4000 characters and some visible text.',
  color: 'That colour is not accepted.',
  id: 'That message no longer exists.',
  reply_to: 'The message you replied to no longer exists.',
  emoji: 'That reaction cannot be added: one emoji, and at most 20 different ones on a message.',
  q: 'Search needs 3 to 200 characters, with a word of at least 3.',
  retention_seconds: 'Messages can disappear after 1 minute to 1 year, or never.',
};

/** Human text for an API error, with the situations a user actually meets spelled out. */
export function describeError(e: ApiError): string {
  switch (e.code) {
    case 0:
      return e.error;
    case 101:
      return 'This room does not exist (any more).';
    case 102:
      return 'A room with this title already exists.';
    case 104:
      return e.field === 'secret' || e.field === 'password' ? 'Wrong password.' : 'You are not allowed to do that.';
    case 202:
      return 'Someone with this name is already in the room.';
    case 204:
      return 'This name is banned from the room.';
    case 105:
    case 303:
      return (e.field && FIELD_RULES[e.field]) || e.error.replace(/^(Room|Client|Token) error: /, '');
    case 306:
      return 'Too many requests. Wait a moment and try again.';
    case 403:
      return 'Your access has expired or was revoked.';
    default:
      return e.error.replace(/^(Room|Client|Token) error: /, '');
  }
}
