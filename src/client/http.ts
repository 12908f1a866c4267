// The REST half of the API (SPEC §1, §2, §5, §11): rooms, tokens, history, bans, bots.
// Every call resolves with the body or rejects with a ChitChatError.
import type { CreatedRoom, MessagePage, Room, TokenGrant, Visibility } from '../protocol/wire.js';
import { ChitChatError, readApiError } from './errors.js';

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
  /** The answer's headers (room list pages are linked by `Link`); optional for minimal fetches. */
  headers?: { get(name: string): string | null };
}>;

export interface RoomInput {
  title: string;
  description?: string;
  visibility?: Visibility;
  password?: string;
}

export interface TokenRequest {
  name: string;
  /** The room's password (member token). */
  secret?: string;
  /** The key shown at creation, or the server's admin key (owner token). */
  ownerKey?: string;
}

export interface HistoryPage {
  before?: number;
  after?: number;
  limit?: number;
}

export interface BotGrant {
  status: true;
  name: string;
  room_id: number;
  token: string;
  role: 'bot';
  expires_at: string | null;
  webhook_url: string;
}

/** A room's id or its title (SPEC §1: both address the same room). */
export type RoomRef = number | string;

export const roomPath = (room: RoomRef) => `/chats/${encodeURIComponent(String(room))}`;

export class RestClient {
  constructor(
    /** The server's base URL, e.g. `http://127.0.0.1:8080` (no trailing slash needed). */
    readonly baseUrl: string,
    private readonly fetchImpl: FetchLike,
  ) {}

  async call<T>(method: string, path: string, opts: { body?: unknown; token?: string | undefined } = {}): Promise<T> {
    return (await this.request<T>(method, path, opts)).data;
  }

  /** As call(), with the HTTP status of the answer. */
  async request<T>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string | undefined } = {},
  ): Promise<{ status: number; data: T; headers?: { get(name: string): string | null } }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    const url = /^https?:\/\//.test(path) ? path : `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }) });
    } catch (err) {
      throw new ChitChatError({ code: 0, error: `Cannot reach ${this.baseUrl}: ${(err as Error).message}` }, 0);
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* judged by the status alone */
    }
    if (!res.ok) throw new ChitChatError(readApiError(json, res.status), res.status);
    return { status: res.status, data: json as T, ...(res.headers && { headers: res.headers }) };
  }

  /** Public and private rooms, newest activity first (hidden rooms are never listed). */
  listRooms(page: { limit?: number; before?: string } = {}): Promise<Room[]> {
    return this.call('GET', `/chats${query(page)}`);
  }
  getRoom(room: RoomRef, token?: string): Promise<Room> {
    return this.call('GET', roomPath(room), { token });
  }
  /** The answer's `owner_key` is shown this once: keep it. */
  createRoom(input: RoomInput): Promise<CreatedRoom> {
    return this.call('POST', '/chats', { body: { description: '', visibility: 'public', ...input } });
  }
  updateRoom(room: RoomRef, input: RoomInput, ownerToken: string): Promise<Room> {
    return this.call('PUT', roomPath(room), { body: input, token: ownerToken });
  }
  deleteRoom(room: RoomRef, ownerToken: string): Promise<{ status: true }> {
    return this.call('DELETE', roomPath(room), { token: ownerToken });
  }

  /** A token for the room; null for a public room asked without an owner key (it needs none). */
  async token(room: RoomRef, req: TokenRequest): Promise<TokenGrant | null> {
    const body = { name: req.name, ...(req.secret !== undefined && { secret: req.secret }), ...(req.ownerKey !== undefined && { owner_key: req.ownerKey }) };
    const grant = await this.call<TokenGrant | { status: true; token?: undefined }>('POST', `${roomPath(room)}/token`, { body });
    return grant.token === undefined ? null : (grant as TokenGrant);
  }
  renewToken(room: RoomRef, token: string): Promise<TokenGrant> {
    return this.call('POST', `${roomPath(room)}/token/renew`, { token });
  }

  messages(room: RoomRef, page: HistoryPage = {}, token?: string): Promise<MessagePage> {
    return this.call('GET', `${roomPath(room)}/messages${query(page)}`, { token });
  }

  ban(room: RoomRef, name: string, ownerToken: string): Promise<{ status: true; name: string }> {
    return this.call('POST', `${roomPath(room)}/bans`, { body: { name }, token: ownerToken });
  }
  unban(room: RoomRef, name: string, ownerToken: string): Promise<{ status: true; name: string }> {
    return this.call('DELETE', `${roomPath(room)}/bans/${encodeURIComponent(name)}`, { token: ownerToken });
  }

  /** A bot for the room (SPEC §11): a token with role `bot` and an incoming webhook URL. */
  createBot(room: RoomRef, name: string, ownerToken: string): Promise<BotGrant> {
    return this.call('POST', `${roomPath(room)}/bots`, { body: { name }, token: ownerToken });
  }
  /** Revokes the bot's token and its webhook. */
  deleteBot(room: RoomRef, name: string, ownerToken: string): Promise<{ status: true; name: string }> {
    return this.call('DELETE', `${roomPath(room)}/bots/${encodeURIComponent(name)}`, { token: ownerToken });
  }
  /** Posts to an incoming webhook, as a tool that speaks Slack's format would. */
  postWebhook(webhookUrl: string, text: string): Promise<{ status: true; id: string; seq: number }> {
    return this.call('POST', webhookUrl, { body: { text } });
  }
}

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
