// Typed events for one room socket: callbacks (`on`) and async iteration over every event.
import type { ApiError, ChatMessage, ServerEvent, TokenGrant } from '../protocol/wire.js';

/** 'offline': waiting for the device's network (only where the owner can tell, as in browsers). */
export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

export interface ConnStatus {
  state: ConnState;
  /** Failed attempts since the socket was last stable. */
  attempt: number;
  /** While waiting to reconnect: when the next attempt starts (ms since the epoch). */
  retryAt?: number;
}

/** The event of one type (join and leave share one shape in the wire types). */
type Of<K extends ServerEvent['event_type']> = ServerEvent extends infer E
  ? E extends { event_type: infer T }
    ? K extends T
      ? E & { event_type: K }
      : never
    : never
  : never;

/** What `on(type, …)` hands to its callback. */
export interface RoomEventMap {
  /** A stored message (the `send` event), each once, in seq order, across reconnects. */
  message: ChatMessage;
  join: Of<'join'>;
  leave: Of<'leave'>;
  /** A person's device count changed without a join or leave (SPEC §12). */
  devices: Of<'devices'>;
  presence: Of<'presence'>;
  typing: Of<'typing'>;
  edit: Of<'edit'>;
  delete: Of<'delete'>;
  room_updated: Of<'room_updated'>;
  room_deleted: Of<'room_deleted'>;
  kicked: Of<'kicked'>;
  /** An `error` event from the server that no pending send() took as its own. */
  error: ApiError;
  /** Every event from the server, as it arrived (messages already seen are left out). */
  event: ServerEvent;
  status: ConnStatus;
  /** The token was renewed (or issued again from the credentials). */
  token: TokenGrant;
  /** The room socket is closed for good; the reason when it was not close(). */
  closed: { reason: string; error?: ApiError };
}

type Listener<T> = (value: T) => void;

export class Emitter<M extends object> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  /** Calls `fn` for each event of `type`; returns a function that stops it. */
  on<K extends keyof M>(type: K, fn: Listener<M[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  /** Resolves with the next event of `type`. */
  once<K extends keyof M>(type: K): Promise<M[K]> {
    return new Promise((resolve) => {
      const off = this.on(type, (v) => {
        off();
        resolve(v);
      });
    });
  }

  protected emit<K extends keyof M>(type: K, value: M[K]): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) {
      try {
        (fn as Listener<M[K]>)(value);
      } catch (err) {
        // A listener's bug must not break the socket's state; surface it without stopping the loop.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/**
 * An unbounded queue read by `for await`: every event pushed after the iterator was made is
 * yielded, in order; end() finishes the iteration once the queue is read.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;

  constructor(private readonly onReturn: () => void) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  end(): void {
    this.ended = true;
    if (this.waiting && this.items.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
