// Keeps this socket under the server's message rate limit (a token bucket per socket, SPEC §4),
// so sends are not refused with 306 in the first place. Every frame the app writes counts, as on
// the server; only messages wait for a token, other frames take one or skip (typing).

export interface Limits {
  perSecond: number;
  burst: number;
}

/** The contract's defaults (CHITCHAT_LIMIT_MESSAGES_*), used until the server says otherwise. */
export const DEFAULT_LIMITS: Limits = { perSecond: 10, burst: 30 };

/** Frames reach the server bunched by the network, not as spaced as they left: keep a margin. */
const BURST_MARGIN = 3;
const RATE_SHARE = 0.9;

/** The `limits` of SPEC §12's `identity` event, when the event carries usable ones. */
export function limitsFrom(ev: unknown): Limits | undefined {
  const l = (ev as { limits?: { messages_per_second?: unknown; messages_burst?: unknown } } | null)?.limits;
  const perSecond = l?.messages_per_second;
  const burst = l?.messages_burst;
  if (typeof perSecond !== 'number' || typeof burst !== 'number' || !(perSecond >= 0) || !(burst >= 0)) return undefined;
  return { perSecond, burst };
}

export class Pacer {
  private tokens = 0;
  private last = 0;

  constructor(private limits: Limits = DEFAULT_LIMITS) {
    this.reset();
  }

  setLimits(limits: Limits): void {
    const wasFull = this.tokens >= this.capacity;
    this.limits = limits;
    this.tokens = wasFull ? this.capacity : Math.min(this.tokens, this.capacity);
  }

  /** A new socket: the server's bucket for it starts full. */
  reset(): void {
    this.tokens = this.capacity;
    this.last = performance.now();
  }

  /** Takes a token for a message; false when it must wait (see waitMs). */
  take(): boolean {
    if (this.off) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** A frame that goes out anyway (join, edit, delete): it still spends the server's budget. */
  spend(): void {
    if (this.off) return;
    this.refill();
    this.tokens -= 1;
  }

  /** For frames worth sending only when there is room to spare (typing). */
  spare(reserve: number): boolean {
    if (this.off) return true;
    this.refill();
    if (this.tokens < 1 + Math.min(reserve, this.capacity / 2)) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until a message may go. */
  waitMs(): number {
    if (this.off) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  private get off(): boolean {
    return this.limits.perSecond === 0 || this.limits.burst === 0;
  }
  private get capacity(): number {
    return Math.max(1, this.limits.burst - BURST_MARGIN);
  }
  private get rate(): number {
    return this.limits.perSecond * RATE_SHARE;
  }
  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
