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
  /** Posted by a bot or through its webhook (SPEC §11). */
  bot?: true;
}

export interface MessagePage {
  messages: ChatMessage[];
  has_more: boolean;
}

/** Events the server sends on a room socket (SPEC §4). Every one carries room_id and time. */
export type ServerEvent =
  | ({ event_type: 'send' } & ChatMessage)
  | { event_type: 'join' | 'leave'; name: string; color?: string; msg?: string; time?: string }
  | { event_type: 'ack'; client_id?: string; id: string; seq: number }
  | { event_type: 'presence'; users: RoomUser[] }
  | { event_type: 'typing'; name: string }
  | { event_type: 'edit'; id: string; msg: string; seq?: number; name?: string; edited_at?: string }
  | { event_type: 'delete'; id: string; seq?: number; name?: string }
  | ({ event_type: 'room_updated'; room?: Partial<Room> } & Partial<Room>)
  | { event_type: 'room_deleted'; msg?: string }
  | { event_type: 'kicked'; name?: string; msg?: string; reason?: string }
  | { event_type: 'error'; error: ApiError };

/** Events a client sends on a room socket (SPEC §4). */
export type ClientEvent =
  | { event_type: 'join'; name: string; color: string }
  | { event_type: 'send'; msg: string; color?: string; client_id?: string }
  | { event_type: 'typing' }
  | { event_type: 'leave' }
  | { event_type: 'edit'; id: string; msg: string }
  | { event_type: 'delete'; id: string };

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
} as const;
