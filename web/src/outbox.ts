// Sends the server has not acknowledged yet. Each keeps its client_id for life, and the server
// stores a client_id once, so sending one again (after a reconnect, or when a frame was dropped
// by the rate limit) can never double it.
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

export class Outbox {
  list: readonly Pending[] = [];

  constructor(private readonly changed: () => void) {}

  add(msg: string, color: string, reply_to?: string): void {
    this.update([...this.list, { client_id: randomId(), msg, color, state: 'sending', sentAt: 0, ...(reply_to && { reply_to }) }]);
  }

  retry(client_id: string): void {
    this.patch(client_id, { state: 'sending', error: undefined, sentAt: 0 });
  }

  discard(client_id: string): void {
    this.update(this.list.filter((p) => p.client_id !== client_id));
  }

  /** The server stored it (its `send` came back, or its `ack`). */
  settle(client_id: string | undefined): void {
    if (client_id && this.list.some((p) => p.client_id === client_id)) this.discard(client_id);
  }

  /** A refusal about message content names no client_id: it answers the oldest one in flight. */
  failOldest(error: string): boolean {
    const oldest = this.list.find((p) => p.state === 'sending' && p.sentAt > 0);
    if (oldest) this.patch(oldest.client_id, { state: 'failed', error });
    return !!oldest;
  }

  /** After a (re)join everything unacked is due at once. */
  rewind(): void {
    this.update(this.list.map((p) => (p.state === 'sending' ? { ...p, sentAt: 0 } : p)));
  }

  /** Sends what is due; `send` returns false when the socket cannot take it. */
  flush(send: (p: Pending) => boolean): void {
    const now = Date.now();
    let sent = false;
    const next = this.list.map((p) => {
      if (p.state !== 'sending' || now - p.sentAt < RESEND_AFTER_MS || !send(p)) return p;
      sent = true;
      return { ...p, sentAt: now };
    });
    if (sent) this.update(next);
  }

  private patch(client_id: string, patch: Partial<Pending>): void {
    this.update(this.list.map((p) => (p.client_id === client_id ? { ...p, ...patch } : p)));
  }

  private update(list: readonly Pending[]): void {
    this.list = list;
    this.changed();
  }
}
