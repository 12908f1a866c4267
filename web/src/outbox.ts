// Sends the server has not acknowledged yet, in the order they were written. Each keeps its
// client_id for life, and the server stores a client_id once, so sending one again (after a
// reconnect, or after the rate limit dropped it) can never double it.
//
// Only the oldest unacked message is on the wire at a time. The server refuses an over-limit frame
// (306) without saying which, and accepts the next ones once its bucket refills: with several in
// flight a refused message would be stored after later ones. One at a time, a refusal can only be
// about the one in flight, and it goes again before anything written after it.
import { randomId } from './ids';

export interface Pending {
  client_id: string;
  msg: string;
  color: string;
  state: 'sending' | 'failed';
  /** The id of the message this one replies to. */
  reply_to?: string;
  error?: string;
  /** Last time it went out on a socket (ms since epoch); 0 if it has not since the last join. */
  sentAt: number;
}

/** An unacked send goes out again after this long. */
const RESEND_AFTER_MS = 8_000;
/** After a 306 the head waits this long before going again (the server's bucket refills). */
const REFUSED_WAIT_MS = 1_000;

export class Outbox {
  list: readonly Pending[] = [];
  /** No send before this time (ms since epoch): set by a refusal. */
  private holdUntil = 0;

  constructor(private readonly changed: () => void) {}

  add(msg: string, color: string, reply_to?: string): void {
    this.update([...this.list, { client_id: randomId(), msg, color, state: 'sending', sentAt: 0, ...(reply_to && { reply_to }) }]);
  }

  /** A failed message goes again after those already waiting: the list is the sending order. */
  retry(client_id: string): void {
    const p = this.list.find((x) => x.client_id === client_id);
    if (p) this.update([...this.list.filter((x) => x !== p), { ...p, state: 'sending', error: undefined, sentAt: 0 }]);
  }

  discard(client_id: string): void {
    this.update(this.list.filter((p) => p.client_id !== client_id));
  }

  /** The server stored it (its `send` came back, or its `ack`). */
  settle(client_id: string | undefined): boolean {
    if (!client_id || !this.list.some((p) => p.client_id === client_id)) return false;
    this.discard(client_id);
    return true;
  }

  /** A refusal about message content names no client_id: it answers the one in flight. */
  failOldest(error: string): boolean {
    const head = this.head;
    const inFlight = head && head.sentAt > 0 ? head : undefined;
    if (inFlight) this.patch(inFlight.client_id, { state: 'failed', error });
    return !!inFlight;
  }

  /** The server dropped a frame for its rate limit (306): the one in flight goes again, later. */
  refused(): void {
    this.holdUntil = Date.now() + REFUSED_WAIT_MS;
    const head = this.head;
    if (head && head.sentAt > 0) this.patch(head.client_id, { sentAt: 0 });
  }

  /** After a (re)join everything unacked is due at once. */
  rewind(): void {
    this.holdUntil = 0;
    this.update(this.list.map((p) => (p.state === 'sending' ? { ...p, sentAt: 0 } : p)));
  }

  /** Waiting messages, the one in flight included. */
  get waiting(): number {
    return this.list.filter((p) => p.state === 'sending').length;
  }

  /**
   * Sends the oldest waiting message when it is due. `send` returns false when the socket (or the
   * pacing) cannot take it now. Returns how many ms until it is worth calling again, or undefined
   * when only an ack (or a new message) can move things on.
   */
  flush(send: (p: Pending) => boolean): number | undefined {
    const head = this.head;
    if (!head) return undefined;
    const now = Date.now();
    if (now < this.holdUntil) return this.holdUntil - now;
    if (head.sentAt > 0 && now - head.sentAt < RESEND_AFTER_MS) return head.sentAt + RESEND_AFTER_MS - now;
    if (!send(head)) return 0;
    this.patch(head.client_id, { sentAt: now });
    return RESEND_AFTER_MS;
  }

  private get head(): Pending | undefined {
    return this.list.find((p) => p.state === 'sending');
  }

  private patch(client_id: string, patch: Partial<Pending>): void {
    this.update(this.list.map((p) => (p.client_id === client_id ? { ...p, ...patch } : p)));
  }

  private update(list: readonly Pending[]): void {
    this.list = list;
    this.changed();
  }
}
