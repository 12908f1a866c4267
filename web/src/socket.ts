// The room's live socket, through the SDK's LiveSocket (chitchat/client): reconnect with backoff
// and jitter, a URL rebuilt for each attempt (`?since=<last seq>`), the token as the subprotocol.
// What only a browser knows is added here: the network going away and coming back.
import type { ConnStatus } from '../../src/client/events';
import { LiveSocket } from '../../src/client/live';
import type { SocketFactory } from '../../src/client/transport';
import type { ClientEvent, ServerEvent } from './types';

export type { ConnState, ConnStatus } from '../../src/client/events';

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

export class RoomConnection {
  private readonly live: LiveSocket;

  constructor(opts: ConnectionOptions) {
    this.live = new LiveSocket({
      // The DOM's handler types name their event; the SDK's are looser, and the DOM's socket fits them.
      WebSocket: WebSocket as unknown as SocketFactory,
      url: opts.url,
      protocol: opts.protocol,
      onOpen: opts.onOpen,
      onEvent: opts.onEvent,
      onStatus: opts.onStatus,
      online: () => navigator.onLine,
      onClosed: ({ opened }) => (!opened && opts.onRefused && navigator.onLine ? opts.onRefused() : true),
    });
  }

  start(): void {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.live.start();
  }

  /** Closes for good; no reconnect follows. */
  stop(): void {
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    void this.live.stop();
  }

  /** Sends when the socket is open; returns false otherwise (the caller keeps the event). */
  send(ev: ClientEvent): boolean {
    return this.live.send(ev);
  }

  get isOpen(): boolean {
    return this.live.isOpen;
  }

  /** Skips the wait before the next attempt. */
  retryNow(): void {
    this.live.retryNow();
  }

  private readonly onOnline = () => this.live.retryNow(true);

  // A socket whose network went away may take minutes to notice; close it now and say so.
  private readonly onOffline = () => this.live.drop();
}
