// The persistence boundary. Drivers: sqlite.ts (embedded default) and, later, postgres.ts.
// Every driver passes the same shared test suite (test/integration/store.test.ts).
import { randomUUID } from 'node:crypto';
import type { StoredMessage } from '../domain/message.js';
import type { Visibility } from '../domain/room.js';

export interface RoomRecord {
  id: number;
  title: string;
  description: string;
  visibility: Visibility;
  /** Argon2id hash; null for public rooms. Never leaves the server. */
  passwordHash: string | null;
  /** Argon2id hash of the owner key shown once at creation. */
  ownerKeyHash: string;
  /** Bumped by a password or visibility change; member tokens of an older generation are revoked. */
  tokenGen: number;
  /** seq of the newest stored message; 0 for an empty room. */
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
  /** Time of the newest message, or creation: the lobby sorts by it. */
  lastActivity: string;
}

export interface NewRoom {
  title: string;
  description: string;
  visibility: Visibility;
  passwordHash: string | null;
  ownerKeyHash: string;
}

export interface RoomUpdate {
  title?: string;
  description?: string;
  visibility?: Visibility;
  /** undefined keeps the hash; null removes it. */
  passwordHash?: string | null;
  /** Revoke member tokens issued before this update. */
  bumpTokenGen?: boolean;
}

export interface NewMessage {
  roomId: number;
  name: string;
  color: string;
  msg: string;
  clientId: string | null;
  /** Posted by a bot (its token or its webhook). */
  bot?: boolean;
}

/** A room's bot (SPEC §11): its token carries `bid`; its webhook is known by a hash. */
export interface BotRecord {
  roomId: number;
  name: string;
  nameKey: string;
  /** Random id in the bot's token; a token with another one is revoked. */
  botId: string;
  /** SHA-256 (hex) of the webhook's secret path segment. */
  hookHash: string;
  createdAt: string;
}

/** The stored form of a new message: a fresh id, its seq and the commit's time. */
export function storedMessage(m: NewMessage, seq: number, time: string): StoredMessage {
  return { id: randomUUID(), roomId: m.roomId, seq, name: m.name, color: m.color, msg: m.msg, clientId: m.clientId, time, editedAt: null, bot: m.bot === true };
}

export type AppendResult =
  | { ok: true; message: StoredMessage; duplicate: boolean }
  | { ok: false; reason: 'room_not_found' };

export interface Page {
  before?: number;
  after?: number;
  limit: number;
}

export interface MessagePage {
  messages: StoredMessage[];
  hasMore: boolean;
}

/**
 * Guarantees every driver gives:
 * - appendMessages writes its whole batch in one transaction and resolves only once that
 *   transaction is durable (committed and synced); it assigns each room's next seq in that same
 *   transaction, so seq starts at 1 and grows by one per stored message with no gap, even with
 *   several server nodes writing to the same store.
 * - A message whose (roomId, name, clientId) is already stored is not stored again: the stored
 *   one is returned with duplicate=true. This makes client retries idempotent; a client_id is
 *   scoped to its sender, so one person cannot replay or shadow another's message by its id.
 * - Reads see every append that has resolved.
 * - Titles are unique ignoring case; createRoom and updateRoom throw DuplicateTitleError.
 */
export interface Store {
  /** Creates or upgrades the schema, and creates room 1 "Public Chat" when there are no rooms. */
  init(defaultRoom: NewRoom): Promise<void>;
  createRoom(room: NewRoom): Promise<RoomRecord>;
  roomById(id: number): Promise<RoomRecord | undefined>;
  roomByTitle(title: string): Promise<RoomRecord | undefined>;
  /** Public and private rooms, newest activity first. Hidden rooms are never listed. */
  listRooms(): Promise<RoomRecord[]>;
  updateRoom(id: number, update: RoomUpdate): Promise<RoomRecord | undefined>;
  /** Deletes the room with its messages and bans. */
  deleteRoom(id: number): Promise<boolean>;

  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]>;
  /** Messages in ascending seq; see SPEC §1 for before/after/limit. Deleted messages are left out. */
  messages(roomId: number, page: Page): Promise<MessagePage>;
  message(roomId: number, id: string): Promise<StoredMessage | undefined>;
  editMessage(roomId: number, id: string, msg: string, editedAt: string): Promise<StoredMessage | undefined>;
  /** Erases the text and hides the message; its seq is never reused. */
  deleteMessage(roomId: number, id: string): Promise<boolean>;

  ban(roomId: number, nameKey: string): Promise<void>;
  unban(roomId: number, nameKey: string): Promise<boolean>;
  isBanned(roomId: number, nameKey: string): Promise<boolean>;

  /** Adds a bot; false when the room has one of that name already (or the room is gone). */
  createBot(bot: BotRecord): Promise<boolean>;
  bot(roomId: number, nameKey: string): Promise<BotRecord | undefined>;
  botByHook(hookHash: string): Promise<BotRecord | undefined>;
  listBots(roomId: number): Promise<BotRecord[]>;
  /** Revokes its token and webhook. */
  deleteBot(roomId: number, nameKey: string): Promise<boolean>;

  /** Throws when the store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DuplicateTitleError extends Error {
  constructor() {
    super('duplicate room title');
  }
}
