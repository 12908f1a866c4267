// One room socket that comes back by itself. After a drop it reconnects with exponential backoff
// and jitter; the caller rebuilds the URL for each attempt so it can ask for `?since=<last seq>`.
import type { ClientEvent, ServerEvent } from './types';

export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

export interface ConnStatus {
  state: ConnState;
  /** Failed attempts since the socket was last stable. */
  attempt: number;
  /** When the next attempt starts (ms since epoch), while waiting. */
  retryAt?: number;
}

export interface ConnectionOptions {
  url(): string;
  /** The room token, sent as the WebSocket subprotocol; undefined for public rooms. */
  protocol(): string | undefined;
  onOpen(): void;
  onEvent(ev: ServerEvent): void;
  onStatus(s: ConnStatus): void;
  /** After an attempt that never opened. Browsers hide the HTTP answer to a refused upgrade,
   * so the caller may ask the REST API why; resolve false to stop for good. */
  onRefused?(): Promise<boolean>;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** A socket open this long counts as stable and resets the backoff. */
const STABLE_AFTER_MS = 5_000;

export class RoomConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private status: ConnStatus = { state: 'connecting', attempt: 0 };

  constructor(private readonly opts: ConnectionOptions) {}

  start(): void {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.connect();
  }

  /** Closes for good; no reconnect follows. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    this.setStatus({ state: 'closed', attempt: this.attempt });
  }

  /** Sends when the socket is open; returns false otherwise (the caller keeps the event). */
  send(ev: ClientEvent): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(ev));
    return true;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Skips the wait before the next attempt. */
  retryNow(): void {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = undefined;
    const first = this.attempt === 0 && this.status.state === 'connecting';
    this.setStatus({ state: !navigator.onLine ? 'offline' : first ? 'connecting' : 'reconnecting', attempt: this.attempt });
    const protocol = this.opts.protocol();
    let ws: WebSocket;
    try {
      ws = protocol ? new WebSocket(this.opts.url(), protocol) : new WebSocket(this.opts.url());
    } catch {
      void this.afterClose(false);
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.setStatus({ state: 'live', attempt: this.attempt });
      this.stableTimer = setTimeout(() => (this.attempt = 0), STABLE_AFTER_MS);
      this.opts.onOpen();
    };
    ws.onmessage = (e: MessageEvent) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      let ev: ServerEvent;
      try {
        ev = JSON.parse(e.data) as ServerEvent;
      } catch {
        return;
      }
      if (ev && typeof ev === 'object' && typeof ev.event_type === 'string') this.opts.onEvent(ev);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearTimeout(this.stableTimer);
      void this.afterClose(opened);
    };
  }

  private async afterClose(opened: boolean): Promise<void> {
    if (this.stopped) return;
    this.attempt++;
    if (!opened && this.opts.onRefused && navigator.onLine) {
      const goOn = await this.opts.onRefused();
      if (!goOn) return this.stop();
      if (this.stopped) return;
    }
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (this.attempt - 1));
    // Full jitter in the upper half: a room full of clients dropped at once does not return at once.
    const wait = Math.round(delay * (0.5 + Math.random() * 0.5));
    const state: ConnState = navigator.onLine ? 'reconnecting' : 'offline';
    this.setStatus({ state, attempt: this.attempt, retryAt: Date.now() + wait });
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  private readonly onOnline = () => {
    if (!this.ws) {
      this.attempt = 0;
      this.retryNow();
    }
  };

  private readonly onOffline = () => {
    // A socket whose network went away may take minutes to notice; close it now and say so.
    const ws = this.ws;
    if (ws) {
      this.ws = undefined;
      clearTimeout(this.stableTimer);
      ws.close();
      void this.afterClose(true);
    }
  };

  private setStatus(s: ConnStatus): void {
    this.status = s;
    this.opts.onStatus(s);
  }
}
