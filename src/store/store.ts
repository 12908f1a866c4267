// The persistence boundary. Drivers: sqlite.ts (embedded default) and, later, postgres.ts.
// Every driver passes the same shared test suite (test/integration/store.test.ts).
import { randomUUID } from 'node:crypto';
import type { StoredMessage } from '../domain/message.js';
import type { ReplyRef } from '../protocol/wire.js';
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
  /** (§7) Messages older than this many seconds expire; null keeps them forever. */
  retentionSeconds: number | null;
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
  /** (§7) undefined keeps it; null keeps messages forever. */
  retentionSeconds?: number | null;
}

export interface NewMessage {
  roomId: number;
  name: string;
  color: string;
  msg: string;
  clientId: string | null;
  /** Hash of the author's name secret (SPEC §12): who may edit or delete it. Never sent out. */
  author?: string | null;
  /** The author's trip code, shown beside the name. */
  trip?: string | null;
  /** (§7) The message it answers (checked to exist by the caller). */
  replyTo?: ReplyRef | null;
  /** (§7) `@name`s in msg. */
  mentions?: string[];
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
  const stored: StoredMessage = {
    id: randomUUID(),
    roomId: m.roomId,
    seq,
    name: m.name,
    color: m.color,
    msg: m.msg,
    clientId: m.clientId,
    time,
    editedAt: null,
    author: m.author ?? null,
    trip: m.trip ?? null,
    bot: m.bot === true,
  };
  if (m.replyTo) stored.replyTo = m.replyTo;
  if (m.mentions && m.mentions.length > 0) stored.mentions = m.mentions;
  return stored;
}

export type AppendResult =
  | { ok: true; message: StoredMessage; duplicate: boolean }
  | { ok: false; reason: 'room_not_found' };

/** A page of the room list: rooms after `after` in the listing's order (newest activity, then id, first). */
export interface RoomPage {
  limit: number;
  after?: { lastActivity: string; id: number };
}

export interface Page {
  before?: number;
  after?: number;
  limit: number;
}

/** A name's secret, by its hash (SPEC §12). */
export interface NameSecretRecord {
  nameKey: string;
  /** The name as its person first spelled it: every device of theirs shows it so. */
  name: string;
  /** ISO time of its last join or leave; it expires 30 days after. */
  lastUsed: string;
}

/** A ban as the owner sees it (SPEC §5 `GET …/bans`). */
export interface BanRecord {
  name: string;
  since: string;
  /** Until when the addresses of the name's sockets are refused; null when none are. */
  addressBanUntil: string | null;
}

export interface MessagePage {
  messages: StoredMessage[];
  hasMore: boolean;
}

export interface SearchQuery {
  /** Every term must occur in msg, ignoring case; at least one has 3+ characters (trigram index). */
  terms: string[];
  /** Only matches with a smaller seq (paging). */
  before?: number;
  limit: number;
}

export type ReactionResult =
  | { ok: true; on: boolean; message: StoredMessage }
  | { ok: false; reason: 'not_found' | 'too_many' };

export type ReadResult = 'moved' | 'unchanged' | 'beyond';

/** A room's expired messages, from the sweeper's point of view. */
export interface Expiry {
  roomId: number;
  /** Every message with seq ≤ this has expired (deleted, or due to be). */
  throughSeq: number;
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
 * - Titles are unique by titleKey (confusable skeleton); createRoom and updateRoom throw
 *   DuplicateTitleError. Rooms and bans keyed under an older key function are re-keyed by init().
 * - Name keys given to bans and name secrets are nameKey()s; the store compares them as given.
 * - (§7) A message older than its room's retention is expired: no read (messages, message,
 *   search) returns it, whether or not deleteExpired has removed it yet. Read messages carry
 *   their reactions. Reactions and read positions are keyed by the name's key.
 */
export interface Store {
  /** Creates or upgrades the schema, and creates room 1 "Public Chat" when there are no rooms. */
  init(defaultRoom: NewRoom): Promise<void>;
  createRoom(room: NewRoom): Promise<RoomRecord>;
  roomById(id: number): Promise<RoomRecord | undefined>;
  roomByTitle(title: string): Promise<RoomRecord | undefined>;
  /**
   * Public and private rooms, newest activity first (ties: higher id first). Hidden rooms are never
   * listed. With a page, at most `limit` rooms that come after `page.after` in that order.
   */
  listRooms(page?: RoomPage): Promise<RoomRecord[]>;
  updateRoom(id: number, update: RoomUpdate): Promise<RoomRecord | undefined>;
  /** Deletes the room with its messages and bans. */
  deleteRoom(id: number): Promise<boolean>;

  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]>;
  /** Messages in ascending seq; see SPEC §1 for before/after/limit. Deleted messages are left out. */
  messages(roomId: number, page: Page): Promise<MessagePage>;
  message(roomId: number, id: string): Promise<StoredMessage | undefined>;
  /** New text, and the mentions read from it (they replace the old ones); undefined when there is no live message `id`. */
  editMessage(roomId: number, id: string, msg: string, editedAt: string, mentions: readonly string[]): Promise<StoredMessage | undefined>;
  /** Erases the text and hides the message; its seq is never reused. */
  deleteMessage(roomId: number, id: string): Promise<boolean>;

  /** (§7) Matches of every term in the room, newest first; deleted and expired messages never match. */
  search(roomId: number, query: SearchQuery): Promise<MessagePage>;
  /**
   * (§7) Toggles `name`'s reaction `emoji` on a live message, atomically: on when absent, off
   * when present; a 21st distinct emoji is refused (too_many) and changes nothing.
   */
  toggleReaction(roomId: number, id: string, emoji: string, name: string): Promise<ReactionResult>;
  /** (§7) Moves `name`'s read position forward to seq; never back, never beyond the room's last seq. */
  setReadPosition(roomId: number, name: string, seq: number): Promise<ReadResult>;
  /** (§7) Read positions of the room by name key. */
  readPositions(roomId: number): Promise<Map<string, number>>;
  /**
   * (§7) Deletes every expired message of every room (with its reactions), and tells, for each
   * of `roomIds` that has a retention, through which seq its messages are expired.
   */
  deleteExpired(roomIds: readonly number[]): Promise<Expiry[]>;

  /** Bans a name key; `name` is how the owner's list shows it (default: the key). */
  ban(roomId: number, nameKey: string, name?: string): Promise<void>;
  /** Lifts a name's ban and the address bans that came with it. */
  unban(roomId: number, nameKey: string): Promise<boolean>;
  isBanned(roomId: number, nameKey: string): Promise<boolean>;
  /** The room's bans, oldest first. */
  bans(roomId: number): Promise<BanRecord[]>;
  /**
   * Refuses an address in the room until `until` (ISO) because of a ban of `nameKey`, only while
   * that name is banned (atomically: a ban lifted meanwhile leaves no address ban); a later until wins.
   */
  banAddress(roomId: number, address: string, nameKey: string, until: string): Promise<void>;
  /** Whether the address is banned in the room now. */
  isAddressBanned(roomId: number, address: string): Promise<boolean>;

  /** Records a new name secret's hash for (room, name key) and the name as spelled, used now. */
  addNameSecret(roomId: number, nameKey: string, secretHash: string, name: string): Promise<void>;
  nameSecret(roomId: number, secretHash: string): Promise<NameSecretRecord | undefined>;
  /** Marks a name secret used now. */
  touchNameSecret(roomId: number, secretHash: string): Promise<void>;

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
