// The conversation fields and events of SPEC §7 (replies, reactions, mentions, read positions,
// around pages, search, retention), as the web app reads them. Kept here rather than in the shared
// wire module while the server side of the same issue lands; every field is optional and read
// defensively, because an older server leaves them out.
import type { ChatMessage, Room, RoomUser } from './types';

export interface ReplyRef {
  id: string;
  seq: number;
  name: string;
  /** The first 120 characters of the original. */
  excerpt: string;
}

export interface ConversationFields {
  reply_to?: ReplyRef;
  /** Emoji → names that reacted with it. */
  reactions?: Record<string, string[]>;
  /** Names the server found as `@name` in the text. */
  mentions?: string[];
}

export type ConvMessage = ChatMessage & ConversationFields;

export interface RoomConversation {
  last_seq?: number;
  last_message_at?: string | null;
  retention_seconds?: number | null;
}

export type ConvRoom = Room & RoomConversation;

export type ConvUser = RoomUser & { read_seq?: number };

export interface AroundPage {
  messages: ConvMessage[];
  has_more_before: boolean;
  has_more_after: boolean;
}

export interface SearchPage {
  messages: ConvMessage[];
  has_more: boolean;
}

/** Server → client events of §7. */
export type ConvServerEvent =
  | { event_type: 'reaction'; id: string; seq?: number; emoji: string; name: string; on: boolean }
  | { event_type: 'read'; name: string; seq: number }
  | { event_type: 'expired'; through_seq: number };

/** Client → server events of §7. */
export type ConvClientEvent =
  | { event_type: 'send'; msg: string; color?: string; client_id?: string; reply_to?: string }
  | { event_type: 'react'; id: string; emoji: string }
  | { event_type: 'read'; seq: number };

/** The retention the owner may set (SPEC §7), in seconds. */
export const RETENTION = { min: 60, max: 31_536_000 } as const;
