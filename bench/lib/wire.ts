// The load generator's side of each server's protocol. Every client is a plain `ws` socket, so
// receiving costs the load generator the same for all three servers (one frame, one JSON.parse):
// - ChitChat and the ws loop speak ChitChat's JSON events (SPEC §4).
// - Socket.IO is spoken on the wire (Engine.IO v4 + Socket.IO v5 packets, websocket transport):
//   "0{…}" open → "40" connect → "42[…]" events, "42<id>[…]" events that want an ack,
//   "43<id>[…]" acks, "2"/"3" ping/pong. bench/lib/sio-check.ts proves the peer against the
//   official socket.io-client; the official client is not used under load because its
//   decoding is several times heavier than this and would slow the load generator, not the server.
import WebSocket from 'ws';

export type ServerKind = 'chitchat' | 'ws-loop' | 'socketio';

export interface WireEvents {
  /** A broadcast chat message reached this client. */
  message(seq: number, msg: string): void;
  /** The server acknowledged one of this client's messages. */
  ack(clientId: string, seq: number): void;
  /** An `error` event from the server. */
  error(text: string): void;
  closed(code: number, reason: string): void;
  /** A `reaction` or `read` broadcast (SPEC §7) reached this client. */
  conversation?(): void;
}

export interface WireClient {
  /** Resolves once the socket is open and the name is joined (the server answered the join). */
  join(name: string, timeoutMs: number): Promise<void>;
  send(clientId: string, msg: string, color: string): void;
  /** ChitChat only (SPEC §7): toggles 👍 on the newest message this client saw, or reads up to it. */
  conversation?(kind: 'react' | 'read'): void;
  readonly open: boolean;
  readonly bufferedAmount: number;
  close(): void;
  terminate(): void;
}

const WS_OPTIONS = { perMessageDeflate: false, maxPayload: 1024 * 1024 } as const;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms))),
  ]);
}

export function createClient(kind: ServerKind, baseWsUrl: string, room: string, on: WireEvents): WireClient {
  return kind === 'socketio' ? new SocketIoClient(baseWsUrl, room, on) : new ChitChatJsonClient(baseWsUrl, room, on);
}

interface JsonEvent {
  event_type: string;
  id?: string;
  seq?: number;
  msg?: string;
  client_id?: string;
  error?: { code?: number; error?: string };
}

/** The socket both wire formats run on: opening, the join promise's hooks, and closing. */
abstract class SocketClient {
  protected readonly ws: WebSocket;
  protected joinFailed: ((err: Error) => void) | null = null;

  constructor(url: string, protected readonly on: WireEvents) {
    this.ws = new WebSocket(url, WS_OPTIONS);
    this.ws.on('message', (data: Buffer) => this.onFrame(data.toString()));
    this.ws.on('close', (code, reason) => {
      this.joinFailed?.(new Error(`closed ${code} before join`));
      this.on.closed(code, reason.toString());
    });
    this.ws.on('error', (err) => this.joinFailed?.(err));
  }

  protected abstract onFrame(text: string): void;

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** ChitChat's own protocol; the ws loop peer speaks it too. */
class ChitChatJsonClient extends SocketClient implements WireClient {
  private joined: (() => void) | null = null;
  /** The newest message this client saw: what its reactions and reads are about. */
  private newestId = '';
  private newestSeq = 0;

  constructor(baseWsUrl: string, room: string, on: WireEvents) {
    super(`${baseWsUrl}/chats/${encodeURIComponent(room)}/ws`, on);
  }

  protected onFrame(text: string): void {
    const ev = JSON.parse(text) as JsonEvent;
    switch (ev.event_type) {
      case 'send':
        if (ev.id !== undefined) (this.newestId = ev.id), (this.newestSeq = ev.seq ?? 0);
        return this.on.message(ev.seq ?? -1, ev.msg ?? '');
      case 'reaction':
      case 'read':
        return this.on.conversation?.();
      case 'ack':
        return this.on.ack(ev.client_id ?? '', ev.seq ?? -1);
      case 'presence':
        this.joined?.();
        return;
      case 'error':
        if (this.joinFailed) return this.joinFailed(new Error(`join refused: ${text}`));
        return this.on.error(text);
    }
  }

  join(name: string, timeoutMs: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.joined = resolve;
      this.joinFailed = reject;
      const sendJoin = () => this.ws.send(JSON.stringify({ event_type: 'join', name, color: '#336699' }));
      if (this.ws.readyState === WebSocket.OPEN) sendJoin();
      else this.ws.once('open', sendJoin);
    }).finally(() => {
      this.joined = null;
      this.joinFailed = null;
    });
    return withTimeout(done, timeoutMs, `join of ${name}`);
  }

  send(clientId: string, msg: string, color: string): void {
    this.ws.send(JSON.stringify({ event_type: 'send', msg, color, client_id: clientId }));
  }

  conversation(kind: 'react' | 'read'): void {
    if (this.newestSeq === 0) return;
    const event = kind === 'react' ? { event_type: 'react', id: this.newestId, emoji: '👍' } : { event_type: 'read', seq: this.newestSeq };
    this.ws.send(JSON.stringify(event));
  }
}

interface SioMessage {
  seq?: number;
  msg?: string;
  client_id?: string;
  event_type?: string;
}

/** Socket.IO v4 on the wire (default namespace, websocket transport, text packets only). */
class SocketIoClient extends SocketClient implements WireClient {
  private connected: (() => void) | null = null;
  private joined: (() => void) | null = null;
  private nextAckId = 1;
  private readonly ready: Promise<void>;

  constructor(baseWsUrl: string, private readonly room: string, on: WireEvents) {
    super(`${baseWsUrl}/socket.io/?EIO=4&transport=websocket`, on);
    this.ready = new Promise<void>((resolve) => (this.connected = resolve));
  }

  protected onFrame(text: string): void {
    const engineType = text.charCodeAt(0);
    if (engineType === 0x32 /* "2" ping */) return void this.ws.send('3');
    if (engineType === 0x30 /* "0" open */) return void this.ws.send('40');
    if (engineType !== 0x34 /* "4" message */) return;
    const sioType = text.charCodeAt(1);
    if (sioType === 0x32 /* "2" event */) {
      const [name, payload] = JSON.parse(text.slice(2)) as [string, SioMessage];
      if (name === 'send') this.on.message(payload.seq ?? -1, payload.msg ?? '');
      return;
    }
    if (sioType === 0x33 /* "3" ack */) {
      const open = text.indexOf('[');
      const [payload] = JSON.parse(text.slice(open)) as [SioMessage];
      if (payload.event_type === 'presence') return this.joined?.();
      if (payload.event_type === 'ack') return this.on.ack(payload.client_id ?? '', payload.seq ?? -1);
      if (this.joinFailed) return this.joinFailed(new Error(`join refused: ${text}`));
      return this.on.error(text);
    }
    if (sioType === 0x30 /* "0" connected */) return this.connected?.();
    if (sioType === 0x34 /* "4" connect error */) this.joinFailed?.(new Error(`connect refused: ${text}`));
  }

  private emit(name: string, payload: object): void {
    this.ws.send(`42${this.nextAckId++}${JSON.stringify([name, payload])}`);
  }

  join(name: string, timeoutMs: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.joined = resolve;
      this.joinFailed = reject;
      void this.ready.then(() => this.emit('join', { room: this.room, name, color: '#336699' }));
    }).finally(() => {
      this.joined = null;
      this.joinFailed = null;
    });
    return withTimeout(done, timeoutMs, `join of ${name}`);
  }

  send(clientId: string, msg: string, color: string): void {
    this.emit('send', { msg, color, client_id: clientId });
  }

}
