// Shapes of the public API (shared/SPEC.md §1–§5). The server is the authority; the app reads
// these defensively because a field it does not know about is not an error.

export type Visibility = 'public' | 'private' | 'hidden';
export const VISIBILITIES: readonly Visibility[] = ['public', 'private', 'hidden'];

export interface RoomUser {
  username: string;
  color: string;
  last_activity: string;
}

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

export type Role = 'member' | 'owner';

export interface TokenGrant {
  status: true;
  name: string;
  room_id: number;
  token: string;
  role: Role;
  expires_at: string;
}

export interface ChatMessage {
  id: string;
  seq: number;
  name: string;
  color: string;
  msg: string;
  time: string;
  room_id: number;
  client_id?: string;
  /** When the author last edited it (history pages carry it). */
  edited_at?: string;
  /** Set locally when an `edit` event changed the text. */
  edited?: boolean;
}

export interface MessagePage {
  messages: ChatMessage[];
  has_more: boolean;
}

/** Events the server sends on a room socket (§4). Every one carries room_id and time. */
export type ServerEvent =
  | ({ event_type: 'send' } & ChatMessage)
  | { event_type: 'join' | 'leave'; name: string; color?: string; msg?: string; time?: string }
  | { event_type: 'ack'; client_id: string; id: string; seq: number }
  | { event_type: 'presence'; users: RoomUser[] }
  | { event_type: 'typing'; name: string }
  | { event_type: 'edit'; id: string; msg: string; seq?: number }
  | { event_type: 'delete'; id: string; seq?: number }
  | { event_type: 'room_updated'; room?: Partial<Room> } & Partial<Room>
  | { event_type: 'room_deleted' }
  | { event_type: 'kicked'; name?: string; reason?: string }
  | { event_type: 'error'; error: ApiError };

export type ClientEvent =
  | { event_type: 'join'; name: string; color: string }
  | { event_type: 'send'; msg: string; color: string; client_id: string }
  | { event_type: 'typing' }
  | { event_type: 'leave' }
  | { event_type: 'edit'; id: string; msg: string }
  | { event_type: 'delete'; id: string };

/** Limits the server enforces; the app checks them first so the user hears about them early. */
export const LIMITS = {
  titleMin: 2,
  titleMax: 70,
  descriptionMax: 70,
  passwordMin: 8,
  passwordMax: 128,
  messageMax: 4000,
  nameMax: 32,
} as const;
