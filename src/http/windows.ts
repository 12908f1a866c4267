// Fixed-window counters that nobody can evict. @fastify/rate-limit's default store is an LRU of
// 5 000 keys: 5 000 requests under fresh keys (rooms that do not exist) pushed out a guesser's
// entry and gave it a fresh budget. Here an entry leaves only when its window has passed, so the
// map holds at most the keys seen within one window.

interface Window {
  count: number;
  /** ms since the epoch when the window started */
  start: number;
  /** its length, ms */
  length: number;
}

export class FixedWindows {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  /** Counts one hit for `key`; returns the count within the current window and ms until it ends. */
  hit(key: string, windowMs: number, now = Date.now()): { count: number; resetInMs: number } {
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.start + w.length <= now) {
      w = { count: 0, start: now, length: windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.start + w.length - now };
  }

  /** The count within the current window, without counting. */
  peek(key: string, now = Date.now()): { count: number; resetInMs: number } {
    const w = this.windows.get(key);
    if (!w || w.start + w.length <= now) return { count: 0, resetInMs: 0 };
    return { count: w.count, resetInMs: w.start + w.length - now };
  }

  get size(): number {
    return this.windows.size;
  }

  /** Drops ended windows, at most once a second: the cost stays per second, not per hit. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1000;
    for (const [key, w] of this.windows) if (w.start + w.length <= now) this.windows.delete(key);
  }
}

type Callback = (err: Error | null, res: { current: number; ttl: number }) => void;

/** A store for @fastify/rate-limit on FixedWindows (its `store` option takes this class). */
export class WindowStore {
  private readonly windows = new FixedWindows();

  incr(key: string, cb: Callback, timeWindow: number): void {
    const { count, resetInMs } = this.windows.hit(key, timeWindow);
    cb(null, { current: count, ttl: resetInMs });
  }

  read(key: string, cb: Callback): void {
    const { count, resetInMs } = this.windows.peek(key);
    cb(null, { current: count, ttl: resetInMs });
  }

  /** Each route gets its own counters, as with the default store. */
  child(): WindowStore {
    return new WindowStore();
  }
}
