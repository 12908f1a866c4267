// The WebSocket door: /chats/:room/ws. Everything is checked before the upgrade, so a refused
// client gets an HTTP status with the JSON error instead of a socket that closes at once.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Access } from '../auth/access.js';
import { protocolToken, type TokenClaims } from '../auth/tokens.js';
import { AppError, errorJson } from '../domain/errors.js';
import { rawResponse } from '../http/connections.js';
import { seqParam } from '../http/messages.js';
import type { Site } from '../http/site.js';
import { FixedWindows } from '../http/windows.js';
import { Connection, type ChatContext } from './connection.js';

export const MAX_FRAME_BYTES = 64 * 1024;

export interface UpgradeOptions {
  access: Access;
  ctx: ChatContext;
  site: Site;
  socketsPerAddress: number;
  /** Upgrades per minute per client address; 0 = unlimited. */
  connectsPerMinute: number;
  accepting: () => boolean;
}

export class Upgrader {
  readonly wss: WebSocketServer;
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  private readonly connects = new FixedWindows();

  constructor(private readonly opts: UpgradeOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES, // larger frames close the socket with 1009
      perMessageDeflate: false,
      // Browsers require the server to answer with the protocol (the token) they offered.
      handleProtocols: (_protocols, req) => this.chosen.get(req) ?? false,
    });
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.admit(req, socket, head).catch((err: unknown) => {
      const appErr = err instanceof AppError ? err : new AppError(500);
      if (!(err instanceof AppError)) this.opts.ctx.log.error({ err }, 'upgrade failed');
      refuse(socket, appErr.status, errorJson(appErr));
    });
  }

  private async admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/chats\/([^/]+)\/ws\/?$/.exec(url.pathname);
    if (!match) throw new AppError(101);
    if (!this.opts.accepting()) return refuse(socket, 503, errorJson(new AppError(301)));
    const { site } = this.opts;
    if (!site.hostAllowed(req)) throw new AppError(104, 'host', 403);
    if (!site.originAllowed(req)) throw new AppError(104, 'origin', 403);
    const address = site.clientAddress(req);
    // Every attempt counts, refused ones too: reconnect storms and token guessing alike.
    const limit = this.opts.connectsPerMinute;
    if (limit > 0 && this.connects.hit(address, 60_000).count > limit) throw new AppError(306);
    let ref: string;
    try {
      ref = decodeURIComponent(match[1]!);
    } catch {
      throw new AppError(101);
    }
    const since = seqParam(url.searchParams.get('since') ?? undefined, 'since', 0);
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    const token = protocolToken(offered);
    const room = await this.opts.access.room(ref, token);
    let claims: TokenClaims | null = null;
    if (token !== undefined) claims = await this.opts.access.claims(room, token);
    else if (room.visibility !== 'public') throw new AppError(104, 'token');

    const { hub } = this.opts.ctx;
    if (!hub.admitAddress(address, this.opts.socketsPerAddress)) throw new AppError(306);
    if (token !== undefined) this.chosen.set(req, token);
    if (socket.destroyed) return hub.releaseAddress(address);
    let opened = false;
    // ws drops a malformed handshake without calling back; the address must still be released.
    socket.once('close', () => opened || hub.releaseAddress(address));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      const conn = new Connection(ws, room.id, claims, address, this.opts.ctx);
      // A since beyond the room's last seq would hide the next messages: clamp it.
      conn.start(Math.min(since ?? room.lastSeq, room.lastSeq)).catch((err: unknown) => {
        this.opts.ctx.log.error({ err }, 'socket start failed');
        ws.terminate();
      });
    });
  }
}

function refuse(socket: Duplex, status: number, body: string): void {
  if (!socket.destroyed) socket.end(rawResponse(status, body));
}
