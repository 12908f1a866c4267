// A two-resolution latency histogram (10 µs to 1 s, then 1 ms to 60 s): recording is O(1) and allocation-free, so the load
// generator can record hundreds of thousands of samples a second without sorting arrays.

/** Bucket width below FINE_RANGE_MS (10 µs), and above it (1 ms), in milliseconds. */
const FINE_MS = 0.01;
const COARSE_MS = 1;
const FINE_RANGE_MS = 1000;
/** Samples above this land in the last bucket (their exact max is still kept). */
const RANGE_MS = 60_000;
const FINE_BUCKETS = FINE_RANGE_MS / FINE_MS;

export interface LatencySummary {
  count: number;
  /** Milliseconds; null when nothing was recorded. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

const upperEdge = (i: number) => (i < FINE_BUCKETS ? (i + 1) * FINE_MS : FINE_RANGE_MS + (i - FINE_BUCKETS + 1) * COARSE_MS);

export class Histogram {
  private readonly buckets = new Uint32Array(FINE_BUCKETS + (RANGE_MS - FINE_RANGE_MS) / COARSE_MS + 1);
  private n = 0;
  private sum = 0;
  private maxMs = 0;

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms; // clock jitter between two performance.now() reads is never negative, but be safe
    let i = v < FINE_RANGE_MS ? Math.floor(v / FINE_MS) : FINE_BUCKETS + Math.floor((v - FINE_RANGE_MS) / COARSE_MS);
    if (i >= this.buckets.length) i = this.buckets.length - 1;
    this.buckets[i]!++;
    this.n++;
    this.sum += v;
    if (v > this.maxMs) this.maxMs = v;
  }

  get count(): number {
    return this.n;
  }

  /** Upper edge of the bucket holding quantile q (0–1), in ms. */
  quantile(q: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(upperEdge(i), this.maxMs);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    const r = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
    return {
      count: this.n,
      p50: r(this.quantile(0.5)),
      p95: r(this.quantile(0.95)),
      p99: r(this.quantile(0.99)),
      max: r(this.n === 0 ? null : this.maxMs),
      mean: r(this.n === 0 ? null : this.sum / this.n),
    };
  }
}
