// The fan-out boundary between server nodes. Drivers: memory.ts (one process, the default)
// and, later, redis.ts (many nodes). Every driver passes the same shared test suite.

/** One event for every socket of a room, on every node. */
export interface RoomEvent {
  /** The JSON text frame, encoded once by the publisher and written as-is to every socket. */
  data: string;
  /** seq of a stored message (`send` events): hubs use it to order, dedupe and fill gaps. */
  seq?: number;
  /** Skip sockets joined under this name key (typing goes to the others). */
  exceptName?: string;
  /**
   * Deliver only to sockets joined under this name key, or holding a token for it even if they
   * never joined (kicked).
   */
  onlyName?: string;
  /**
   * A ban (SPEC §5): each socket it reaches bans its own address in the room until this ISO time
   * before it is closed; nodes know their sockets' addresses, the publisher does not.
   */
  banAddressUntil?: string;
  /** Close the sockets this event was delivered to, after delivering it. */
  close?: { code: number; reason: string };
  /**
   * Close sockets that hold no owner token and whose member token is older than this
   * generation (or that hold no token at all): a password or visibility change revokes them.
   */
  revokeBelowGen?: number;
  /**
   * Someone asks for this name key: the socket holding it, on whichever node, is pinged and
   * dropped unless it answers (its peer may be gone without a close). `data` is empty.
   */
  probeName?: string;
  /**
   * The publishing node stored messages in this room that the broker did not carry (it was
   * disconnected): every socket reads what it missed from the store. `data` is empty.
   */
  resync?: true;
}

export interface PresenceEntry {
  username: string;
  color: string;
  /** ISO-8601 time of the user's last message or join. */
  last_activity: string;
  /** The person's trip code (SPEC §12). */
  trip?: string;
  /** In presence(): how many sockets hold the name (one person's tabs and devices). */
  devices?: number;
}

/**
 * One socket holding a name: several sockets of one person (same `person`) share it. Without
 * one, a claim is the single-holder claim: it succeeds only while nobody holds the name.
 */
export interface NameHolder {
  /** Unique per socket, across nodes. */
  device: string;
  /** Who the person is (the name secret's hash); '' never shares. */
  person: string;
}

/** A claim's outcome: refused, the name's first socket, or one more socket of the same person. */
export type Claimed = false | 'first' | 'more';

export type Unsubscribe = () => Promise<void>;

/**
 * Guarantees every driver gives:
 * - Events published for a room by one node reach every subscriber of that room, on every node,
 *   in the order that node published them. Events from different nodes may interleave; stored
 *   messages carry `seq` so receivers restore the order and fill gaps from the store.
 * - Delivery is at most once; a subscriber that missed events recovers them from the store by seq.
 * - claimName is atomic across nodes: of two concurrent claims of one name in one room by
 *   different persons, one wins; sockets of the person holding it are added to it.
 * - releaseName says true to exactly one of the name's sockets: the last to leave.
 * - After an outage (a lost connection to the other nodes), the driver calls the onResync
 *   listeners once it is subscribed again, so each node re-reads the store for its sockets: no
 *   message stored meanwhile waits for the next one to reveal the gap.
 */
export interface Broker {
  /** An id unique among the nodes sharing this broker. */
  readonly nodeId: string;
  publish(roomId: number, event: RoomEvent): Promise<void>;
  subscribe(roomId: number, handler: (event: RoomEvent) => void): Promise<Unsubscribe>;
  /** Called after an outage, once events flow again: events of that time may have been missed. */
  onResync(listener: () => void): void;

  /** Takes a name in a room for one socket; false when another person holds it. */
  claimName(roomId: number, key: string, entry: PresenceEntry, holder?: NameHolder): Promise<Claimed>;
  /** Updates a held name's entry for one socket (colour, last activity). */
  touchName(roomId: number, key: string, entry: PresenceEntry, device?: string): Promise<void>;
  /** Lets one socket go of a name; true when it was the name's last socket (time for `leave`). */
  releaseName(roomId: number, key: string, device?: string): Promise<boolean>;
  /** Who is connected to the room now, across all nodes: each name once, with its `devices`. */
  presence(roomId: number): Promise<PresenceEntry[]>;
  /** Forgets every name of a deleted room. */
  clearRoom(roomId: number): Promise<void>;

  /** Throws when the broker cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
