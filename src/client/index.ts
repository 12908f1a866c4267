// ChitChat's client SDK (`chitchat/client`, SPEC §11), for Node 20+ and browsers:
//
//   const chat = new ChitChat({ url: 'http://127.0.0.1:8080' });
//   const room = await chat.connect('My chat room', { name: 'david' });
//   room.on('message', (m) => console.log(`${m.name}: ${m.msg}`));
//   const ack = await room.send('hi');          // resolves once stored, with its id and seq
//   for await (const ev of room) { … }          // every event, until close()
//   await room.close();
import { RestClient, type FetchLike, type RoomRef } from './http.js';
import { RoomSocket, type ConnectOptions } from './room.js';
import { webSocketImpl, type SocketFactory } from './transport.js';

export { webSocketImpl };

export interface ChitChatOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`; in a browser, default: this page's origin. */
  url?: string;
  /** A fetch to use instead of the global one. */
  fetch?: FetchLike;
  /** A WebSocket class to use instead of the global one (or `ws` on Node 20). */
  WebSocket?: SocketFactory;
}

/** The REST API (rooms, tokens, history, bans, bots) and `connect()` for a room's socket. */
export class ChitChat extends RestClient {
  private readonly socketImpl: SocketFactory | undefined;

  constructor(options: ChitChatOptions = {}) {
    const url = options.url ?? (globalThis as { location?: { origin: string } }).location?.origin;
    if (!url) throw new Error('ChitChat: give the server URL ({ url: "http://host:port" })');
    const f = options.fetch ?? ((globalThis as { fetch?: FetchLike }).fetch?.bind(globalThis) as FetchLike | undefined);
    if (!f) throw new Error('ChitChat: no fetch here; pass one as { fetch }');
    super(url, f);
    this.socketImpl = options.WebSocket;
  }

  /**
   * Opens the room's socket and joins (when `name` is given); resolves once joined, or rejects
   * with the reason (room not found, name taken or banned, wrong password, server unreachable).
   */
  async connect(room: RoomRef, options: ConnectOptions = {}): Promise<RoomSocket> {
    const socket = new RoomSocket(this, this.socketImpl ?? (await webSocketImpl()), room, options);
    await socket.start();
    return socket;
  }
}

export { ChitChatError } from './errors.js';
export type { ConnState, ConnStatus, RoomEventMap } from './events.js';
export type { BotGrant, FetchLike, HistoryPage, RoomInput, RoomRef, TokenRequest } from './http.js';
export { RestClient } from './http.js';
export type { ClosedInfo, LiveSocketOptions, ReconnectOptions } from './live.js';
export { LiveSocket } from './live.js';
export type { Ack, ConnectOptions, SendOptions } from './room.js';
export { RoomSocket } from './room.js';
export type { SocketFactory, SocketLike } from './transport.js';
export * from '../protocol/wire.js';
