// The wire protocol's shapes (shared/SPEC.md): what travels over HTTP and the room socket.
// One module, imported by the server, the web app and (soon) the SDK, so the three cannot drift.
// Types and constants only: no Node or DOM APIs, so it loads in any of them.

export type Visibility = 'public' | 'private' | 'hidden';
export const VISIBILITIES: readonly Visibility[] = ['public', 'private', 'hidden'];

export type Role = 'member' | 'owner' | 'bot';

/** Someone connected to a room now (SPEC §1 `users`, §4 `presence`). */
export interface RoomUser {
  username: string;
  color: string;
  last_activity: string;
  /** The person's trip code (SPEC §12). */
  trip?: string;
  /** How many sockets (tabs, devices) the person has in the room. */
  devices?: number;
  /** (v3, §7) how far this name has read the room (0: nothing yet). */
  read_seq?: number;
}

/** Every response that returns a room (SPEC §1). */
export interface Room {
  id: number;
  title: string;
  description: string;
  visibility: Visibility;
  createdAt: string;
  updatedAt: string;
  users: RoomUser[];
  participants: number;
  /** (v3, §7) seq of the newest stored message; 0 when none. */
  last_seq?: number;
  /** (v3, §7) time of the newest stored message; null when none. */
  last_message_at?: string | null;
  /** (v3, §7) messages older than this many seconds disappear; null keeps them forever. */
  retention_seconds?: number | null;
}

export interface CreatedRoom extends Room {
  /** Shown to the creator once; the server never repeats it. */
  owner_key: string;
}

export interface ApiError {
  code: number;
  error: string;
  field?: string;
}

export interface TokenGrant {
  status: true;
  name: string;
  room_id: number;
  token: string;
  role: Role;
  expires_at: string;
}

/** A stored message: history pages, search results and the `send` event (SPEC §4). */
export interface ChatMessage {
  id: string;
  seq: number;
  name: string;
  color: string;
  msg: string;
  time: string;
  room_id: number;
  client_id?: string;
  /** When the author last edited it. */
  edited_at?: string;
  /** The author's trip code (SPEC §12); none on messages from before trip codes. */
  trip?: string;
  /** (v3, §7) the message this one answers. */
  reply_to?: ReplyRef;
  /** (v3, §7) emoji → names that reacted with it, in the order they did. */
  reactions?: Reactions;
  /** (v3, §7) names written as `@name` in msg, as written, without duplicates. */
  mentions?: string[];
  /** Posted by a bot or through its webhook (SPEC §11). */
  bot?: true;
}

/** One ban, as `GET /chats/:room/bans` lists it for the owner (SPEC §5). */
export interface BanEntry {
  name: string;
  since: string;
  /** Until when the addresses of the name's sockets are refused; null when none are. */
  address_ban_until: string | null;
}

/** (v3, §7) the original of a reply, as it was when the reply was sent. */
export interface ReplyRef {
  id: string;
  seq: number;
  name: string;
  /** The first 120 characters of the original. */
  excerpt: string;
}

export type Reactions = Record<string, string[]>;

export interface MessagePage {
  messages: ChatMessage[];
  has_more: boolean;
}

/** (v3, §7) `GET /chats/:room/messages?around=SEQ`: the page centred on SEQ. */
export interface AroundPage {
  messages: ChatMessage[];
  has_more_before: boolean;
  has_more_after: boolean;
}

/** (v3, §7) `GET /chats/:room/search`: matches, newest first; page on with `before` = the last seq. */
export type SearchPage = MessagePage;

/** Events the server sends on a room socket (SPEC §4). Every one carries room_id and time. */
export type ServerEvent =
  | ({ event_type: 'send' } & ChatMessage)
  | { event_type: 'join' | 'leave'; name: string; color?: string; msg?: string; time?: string; trip?: string }
  | IdentityEvent
  | { event_type: 'token'; expires_at: string }
  | { event_type: 'ack'; client_id?: string; id: string; seq: number }
  | { event_type: 'presence'; users: RoomUser[] }
  /** (v3, §12) A person's device count changed: a second device joined, or one of several left. */
  | { event_type: 'devices'; name: string; devices: number }
  | { event_type: 'typing'; name: string }
  | { event_type: 'edit'; id: string; msg: string; seq?: number; name?: string; edited_at?: string; mentions?: string[] }
  | { event_type: 'delete'; id: string; seq?: number; name?: string }
  | ({ event_type: 'room_updated'; room?: Partial<Room> } & Partial<Room>)
  | { event_type: 'room_deleted'; msg?: string }
  | { event_type: 'kicked'; name?: string; msg?: string; reason?: string }
  | { event_type: 'reaction'; id: string; seq: number; emoji: string; name: string; on: boolean }
  | { event_type: 'read'; name: string; seq: number }
  | { event_type: 'expired'; through_seq: number }
  | { event_type: 'error'; error: ApiError };

/** To a socket that joined (SPEC §12): who it is; `name_secret` only when just created. */
export interface IdentityEvent {
  event_type: 'identity';
  name: string;
  name_secret?: string;
  trip: string;
  limits: { messages_per_second: number; messages_burst: number };
}

/** Events a client sends on a room socket (SPEC §4). */
export type ClientEvent =
  | { event_type: 'join'; name: string; color: string; name_secret?: string }
  | { event_type: 'token'; token: string }
  | { event_type: 'send'; msg: string; color?: string; client_id?: string; reply_to?: string }
  | { event_type: 'typing' }
  | { event_type: 'leave' }
  | { event_type: 'edit'; id: string; msg: string }
  | { event_type: 'delete'; id: string }
  | { event_type: 'react'; id: string; emoji: string }
  | { event_type: 'read'; seq: number };

/** Limits of the contract; clients check them first so a person hears about them early. */
export const LIMITS = {
  titleMin: 2,
  titleMax: 70,
  descriptionMax: 70,
  passwordMin: 8,
  passwordMax: 128,
  messageMax: 4000,
  nameMax: 32,
  clientIdMax: 64,
  /** (v3, §7) characters of the original quoted in a reply. */
  replyExcerpt: 120,
  /** (v3, §7) distinct emoji on one message. */
  reactionsPerMessage: 20,
  /** (v3, §7) characters of a search query, all terms together. */
  searchMin: 3,
  searchMax: 200,
  /** (v3, §7) retention_seconds bounds; null keeps messages forever. */
  retentionMin: 60,
  retentionMax: 31_536_000,
} as const;
