// A token bucket per socket: `burst` events at once, refilled at `perSecond`.
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  /** perSecond or burst of 0 turns the limit off. */
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    if (this.perSecond === 0 || this.burst === 0) return true;
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
