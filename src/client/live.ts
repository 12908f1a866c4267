// The socket that comes back by itself, under RoomSocket and the web app alike: after a drop it
// reconnects with exponential backoff and jitter, building the URL and token again for each
// attempt (so a reconnect can ask for `?since=<last seq>` and present a renewed token). What to
// say on the socket (join, sends, renewal) is its owner's business; this only keeps it open.
import type { ServerEvent } from '../protocol/wire.js';
import type { ConnStatus } from './events.js';
import { OPEN, type SocketFactory, type SocketLike } from './transport.js';

export interface ReconnectOptions {
  /** First wait after a drop, ms (default 500); it doubles per failed attempt. */
  baseMs?: number;
  /** Longest wait, ms (default 30 000). */
  maxMs?: number;
  /** A socket open this long resets the backoff, ms (default 5 000). */
  stableMs?: number;
}

export interface ClosedInfo {
  /** Whether this attempt ever opened (browsers hide the HTTP answer to a refused upgrade). */
  opened: boolean;
  code: number;
  reason: string;
}

export interface LiveSocketOptions {
  /** The WebSocket class (the global one in browsers). */
  WebSocket: SocketFactory;
  /** The URL for the next attempt. */
  url(): string;
  /** The token for the next attempt, sent as the WebSocket subprotocol; undefined for none. */
  protocol?(): string | undefined;
  onOpen?(): void;
  /** Each event from the server, parsed; frames that are not events are left out. */
  onEvent(ev: ServerEvent): void;
  onStatus?(s: ConnStatus): void;
  /** After a close: resolve false to stop for good (the room is gone, the token refused…). */
  onClosed?(info: ClosedInfo): boolean | Promise<boolean>;
  /** Whether the device has a network (browsers: `navigator.onLine`); while not, the state is 'offline'. */
  online?(): boolean;
  /** 'open' (default): live once the socket opens; 'manual': only when markLive() is called (after a join). */
  liveWhen?: 'open' | 'manual';
  reconnect?: ReconnectOptions;
}

export class LiveSocket {
  private ws: SocketLike | undefined;
  private attemptCount = 0;
  private started = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private current: ConnStatus = { state: 'connecting', attempt: 0 };

  constructor(private readonly opts: LiveSocketOptions) {}

  get status(): ConnStatus {
    return this.current;
  }
  /** Failed attempts since the socket was last stable. */
  get attempt(): number {
    return this.attemptCount;
  }
  get isOpen(): boolean {
    return this.ws?.readyState === OPEN;
  }
  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.open();
  }

  /** Sends a frame (an event object is serialized) when the socket is open; false otherwise. */
  send(frame: string | object): boolean {
    if (this.ws?.readyState !== OPEN) return false;
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    return true;
  }

  /** The socket is in use (joined): say so, and count it stable after a while. */
  markLive(): void {
    this.setStatus({ state: 'live', attempt: this.attemptCount });
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => (this.attemptCount = 0), this.opts.reconnect?.stableMs ?? 5000);
  }

  /** Skips the wait before the next attempt; `fresh` also forgets the failed attempts (back online). */
  retryNow(fresh = false): void {
    if (this.stopped || !this.started || this.ws) return;
    if (fresh) this.attemptCount = 0;
    clearTimeout(this.retryTimer);
    this.open();
  }

  /** Closes the current socket now and reconnects as after a drop (e.g. the network went away). */
  drop(code = 1000): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = undefined;
    ws.close(code);
    void this.afterClose({ opened: true, code: 1006, reason: 'dropped' });
  }

  /** Closes for good: no reconnect follows. Resolves once the socket is closed (at most ~1 s). */
  stop(code = 1000): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    const ws = this.ws;
    this.ws = undefined;
    this.setStatus({ state: 'closed', attempt: this.attemptCount });
    if (!ws || ws.readyState > OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      ws.onclose = () => {
        clearTimeout(timer);
        resolve();
      };
      ws.close(code);
    });
  }

  private online(): boolean {
    return this.opts.online?.() ?? true;
  }

  private open(): void {
    if (this.stopped) return;
    this.retryTimer = undefined;
    const first = this.attemptCount === 0 && this.current.state === 'connecting';
    this.setStatus({ state: !this.online() ? 'offline' : first ? 'connecting' : 'reconnecting', attempt: this.attemptCount });
    const url = this.opts.url();
    const protocol = this.opts.protocol?.();
    let ws: SocketLike;
    try {
      ws = protocol ? new this.opts.WebSocket(url, [protocol]) : new this.opts.WebSocket(url);
    } catch (err) {
      void this.afterClose({ opened: false, code: 1006, reason: `Cannot open ${url}: ${(err as Error).message}` });
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      if (this.opts.liveWhen !== 'manual') this.markLive();
      this.opts.onOpen?.();
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      const ev = parseEvent(e.data);
      if (ev) this.opts.onEvent(ev);
    };
    ws.onerror = () => {};
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      void this.afterClose({ opened, code: e.code, reason: e.reason });
    };
  }

  private async afterClose(info: ClosedInfo): Promise<void> {
    clearTimeout(this.stableTimer);
    if (this.stopped) return;
    this.attemptCount++;
    if (this.opts.onClosed) {
      const goOn = await this.opts.onClosed(info);
      if (this.stopped) return;
      if (!goOn) return void this.stop();
    }
    const r = this.opts.reconnect ?? {};
    const delay = Math.min(r.maxMs ?? 30_000, (r.baseMs ?? 500) * 2 ** (this.attemptCount - 1));
    // Jitter in the upper half: a room full of clients dropped at once does not return at once.
    const wait = Math.round(delay * (0.5 + Math.random() * 0.5));
    this.setStatus({ state: this.online() ? 'reconnecting' : 'offline', attempt: this.attemptCount, retryAt: Date.now() + wait });
    this.retryTimer = setTimeout(() => this.open(), wait);
  }

  private setStatus(s: ConnStatus): void {
    this.current = s;
    this.opts.onStatus?.(s);
  }
}

/** A text (or UTF-8 bytes, from `ws`) frame holding an object with an `event_type`; else undefined. */
function parseEvent(data: unknown): ServerEvent | undefined {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) text = new TextDecoder().decode(data);
  else return undefined;
  try {
    const ev = JSON.parse(text) as ServerEvent;
    return ev && typeof ev === 'object' && typeof ev.event_type === 'string' ? ev : undefined;
  } catch {
    return undefined;
  }
}
