// One room socket that stays connected: it reconnects with backoff and `?since=<last seq>`, so
// every message arrives once, in seq order; it rejoins, resends unacknowledged sends with their
// client_id (the server stores each once and acks the repeat with the same id and seq), and it
// renews its token before expiry.
import type { ApiError, ClientEvent, ServerEvent, TokenGrant } from '../protocol/wire.js';
import { LIMITS } from '../protocol/wire.js';
import { ChitChatError } from './errors.js';
import { Emitter, EventQueue, type ConnStatus, type RoomEventMap } from './events.js';
import { holdToken, type HeldToken } from './grant.js';
import { roomPath, type RestClient, type RoomRef } from './http.js';
import { LiveSocket, type ClosedInfo, type ReconnectOptions } from './live.js';
import type { SocketFactory } from './transport.js';

export type { ReconnectOptions };

export interface ConnectOptions {
  /** The name to join with. Without it the socket only listens: no join, and send() refuses. */
  name?: string;
  /** The colour of the name (default a grey). */
  color?: string;
  /** A token already held, as the server's grant or the bare JWT. */
  token?: TokenGrant | string;
  /** The room's password: a member token is asked for with it, and asked again if renewal fails. */
  secret?: string;
  /** The room's owner key (or the server's admin key): an owner token, as with `secret`. */
  ownerKey?: string;
  /** Replay every message with a greater seq first. Default: the room's newest seq now (only new messages). */
  since?: number;
  /** Join no name even though `name` is given (it then only names the token): read, never speak. */
  listenOnly?: boolean;
  /** Backoff settings, or false to stay closed after the first drop. */
  reconnect?: ReconnectOptions | false;
}

export interface Ack {
  client_id: string;
  id: string;
  seq: number;
  time?: string;
}

export interface SendOptions {
  color?: string;
  /** Your own id for the message (1–64 characters); a random one by default. */
  clientId?: string;
  /** Fields of later protocol versions (reply_to, attachments…), sent as given. */
  extra?: Record<string, unknown>;
}

interface PendingSend {
  frame: string;
  resolve: (ack: Ack) => void;
  reject: (err: ChitChatError) => void;
  /** Written on the current socket (an error event may then be its answer). */
  written: boolean;
}

const DEFAULT_COLOR = '#607d8b';
/** After a 306 the dropped sends are written again this much later. */
const RATE_RETRY_MS = 1000;
/**
 * Codes that end the session for good: the room is gone, the name is banned, the key is wrong, or
 * the token is refused and could not be renewed or asked for again (revoked).
 */
const FATAL = new Set([101, 104, 204, 304, 401, 402, 403]);

export class RoomSocket extends Emitter<RoomEventMap> implements AsyncIterable<ServerEvent> {
  private readonly sock: LiveSocket;
  private held: HeldToken | undefined;
  private seq = 0;
  private joined = false;
  private stopped = false;
  private readonly pending = new Map<string, PendingSend>();
  private readonly queues = new Set<EventQueue<ServerEvent>>();
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private rateTimer: ReturnType<typeof setTimeout> | undefined;
  /** Settles the first connection: connect() resolves once joined, rejects if that fails. */
  private first: { resolve: () => void; reject: (e: ChitChatError) => void } | undefined;
  /** Given by the server (SPEC §12 `identity`), presented on every later join. */
  private nameSecret: string | undefined;
  /** Servers before SPEC §12 do not know the `token` event; they answer it once with 303. */
  private tokenEventSent = false;
  private tokenEventUnknown = false;
  private readonly color: string;
  /**
   * Events that arrive before connect() has resolved (a ?since replay comes before the join's
   * answer) wait here until the caller had a chance to subscribe.
   */
  private early: ServerEvent[] | null = [];

  constructor(
    private readonly rest: RestClient,
    Socket: SocketFactory,
    readonly room: RoomRef,
    private readonly opts: ConnectOptions,
  ) {
    super();
    this.color = opts.color ?? DEFAULT_COLOR;
    const base = rest.baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
    this.sock = new LiveSocket({
      WebSocket: Socket,
      url: () => `${base}${roomPath(room)}/ws?since=${this.seq}`,
      protocol: () => this.held?.token,
      onOpen: () => this.onOpen(),
      onEvent: (ev) => this.onEvent(ev),
      onStatus: (s) => this.emit('status', s),
      onClosed: (info) => this.afterClose(info),
      // Live once joined: a socket the server then refuses is not counted stable.
      liveWhen: 'manual',
      ...(opts.reconnect !== false && opts.reconnect && { reconnect: opts.reconnect }),
    });
  }

  /** The newest seq received: a reconnect asks for everything after it. */
  get lastSeq(): number {
    return this.seq;
  }
  /** The token in use (renewed before expiry); undefined in a public room without one. */
  get token(): string | undefined {
    return this.held?.token;
  }
  get status(): ConnStatus {
    return this.sock.status;
  }
  /** Sends not acknowledged yet. */
  get unacked(): number {
    return this.pending.size;
  }

  /** @internal Used by ChitChat.connect(): token, baseline, first socket, first join. */
  async start(): Promise<void> {
    const { token, secret, ownerKey, name, since } = this.opts;
    if (token !== undefined) this.setToken(holdToken(token));
    else if (secret !== undefined || ownerKey !== undefined) {
      const grant = await this.rest.token(this.room, { name: name ?? '', ...(secret !== undefined && { secret }), ...(ownerKey !== undefined && { ownerKey }) });
      if (grant) this.setToken(holdToken(grant));
    }
    // Without a since, the baseline is the newest stored message, read before the socket opens:
    // a message stored in between is then replayed, never missed.
    if (since !== undefined) this.seq = since;
    else this.seq = (await this.rest.messages(this.room, { limit: 1 }, this.token)).messages.at(-1)?.seq ?? 0;
    await new Promise<void>((resolve, reject) => {
      this.first = { resolve, reject };
      this.sock.start();
    });
  }

  /** Sends a message; resolves with its ack once it is durably stored (SPEC §4). */
  send(msg: string, options: SendOptions = {}): Promise<Ack> {
    if (this.stopped) return Promise.reject(new ChitChatError({ code: 0, error: 'The room socket is closed' }, 0));
    if (!this.joins) return Promise.reject(new ChitChatError({ code: 304, error: 'Unauthorized operation', field: 'name' }, 0));
    if (!validText(msg)) return Promise.reject(new ChitChatError({ code: 303, error: 'Invalid JSON', field: 'msg' }, 0));
    const clientId = options.clientId ?? randomId();
    const existing = this.pending.get(clientId);
    if (existing) {
      // The same message again (same client_id): both callers get its one ack.
      return new Promise((resolve, reject) => {
        const { resolve: before, reject: failBefore } = existing;
        existing.resolve = (ack) => (before(ack), resolve(ack));
        existing.reject = (err) => (failBefore(err), reject(err));
      });
    }
    const event = { ...options.extra, event_type: 'send', msg, color: options.color ?? this.color, client_id: clientId };
    return new Promise<Ack>((resolve, reject) => {
      const p: PendingSend = { frame: JSON.stringify(event), resolve, reject, written: false };
      this.pending.set(clientId, p);
      if (this.joined) this.write(p);
    });
  }

  /** Sends an event that needs no answer (typing, edit, delete…); false when not connected now. */
  emitEvent(event: ClientEvent | ({ event_type: string } & Record<string, unknown>)): boolean {
    if (!this.joined) return false;
    return this.sock.send(event);
  }
  typing(): boolean {
    return this.emitEvent({ event_type: 'typing' });
  }
  edit(id: string, msg: string): boolean {
    return this.emitEvent({ event_type: 'edit', id, msg });
  }
  delete(id: string): boolean {
    return this.emitEvent({ event_type: 'delete', id });
  }

  /** Every event from now on, until close(): `for await (const ev of room) …`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<ServerEvent> {
    const q: EventQueue<ServerEvent> = new EventQueue(() => this.queues.delete(q));
    if (this.stopped) q.end();
    else this.queues.add(q);
    return q;
  }

  /** Closes for good: no reconnect; sends still unacknowledged reject. */
  close(): Promise<void> {
    return this.stop('closed');
  }

  private onOpen(): void {
    this.tokenEventSent = false;
    if (!this.joins) return this.live();
    const join: Record<string, unknown> = { event_type: 'join', name: this.opts.name, color: this.color };
    if (this.nameSecret !== undefined) join.name_secret = this.nameSecret;
    this.sock.send(join);
  }

  /** Joined (or listening): the sends waiting go out, in the order they were made. */
  private live(): void {
    this.joined = true;
    this.sock.markLive();
    for (const p of this.pending.values()) this.write(p);
    if (this.first) {
      this.first.resolve();
      this.first = undefined;
      // After the caller's code that follows `await connect()` has run and subscribed.
      setTimeout(() => {
        const early = this.early ?? [];
        this.early = null;
        for (const ev of early) this.onEvent(ev);
      }, 0);
    }
  }

  private write(p: PendingSend): void {
    if (!this.sock.isOpen) return;
    p.written = true;
    this.sock.send(p.frame);
  }

  private onEvent(ev: ServerEvent): void {
    if (this.early) {
      // Only what settles the connection is handled now; the rest waits for the subscribers.
      if (ev.event_type === 'presence' && !this.joined) this.live();
      else if (ev.event_type === 'error' && !this.joined) return void this.onError(ev.error);
      this.early.push(ev);
      return;
    }
    switch (ev.event_type) {
      case 'send':
        if (ev.seq <= this.seq) return; // already delivered before a reconnect
        this.seq = ev.seq;
        this.emit('message', ev);
        break;
      case 'ack': {
        const p = ev.client_id !== undefined ? this.pending.get(ev.client_id) : undefined;
        if (p && ev.client_id !== undefined) {
          this.pending.delete(ev.client_id);
          p.resolve({ client_id: ev.client_id, id: ev.id, seq: ev.seq, ...('time' in ev && typeof ev.time === 'string' && { time: ev.time }) });
        }
        break;
      }
      case 'presence':
        if (!this.joined) this.live();
        this.emit('presence', ev);
        break;
      case 'error':
        if (!this.onError(ev.error)) return;
        break;
      case 'kicked':
        this.emit('kicked', ev);
        this.deliver(ev);
        this.stop('kicked', { code: 204, error: ev.msg ?? 'Removed from the room' });
        return;
      case 'room_deleted':
        this.emit('room_deleted', ev);
        this.deliver(ev);
        this.stop('room deleted', { code: 101, error: 'Room error: Room not found' });
        return;
      default: {
        const other = ev as { event_type: string; name_secret?: unknown };
        if (other.event_type === 'identity' && typeof other.name_secret === 'string') this.nameSecret = other.name_secret;
        if (isMapped(other.event_type)) this.emit(other.event_type, ev as never);
      }
    }
    this.deliver(ev);
  }

  private deliver(ev: ServerEvent): void {
    this.emit('event', ev);
    for (const q of this.queues) q.push(ev);
  }

  /** Handles an error event; false when it was the SDK's own business and is not passed on. */
  private onError(error: ApiError): boolean {
    if (error.code === 303 && error.field === 'event_type' && this.tokenEventSent && !this.tokenEventUnknown) {
      this.tokenEventUnknown = true;
      return false;
    }
    if (!this.joined && this.joins) {
      // The join was refused. On the first connection that is the caller's answer; later, a 202
      // means the old socket still holds the name (the server frees it soon): try again.
      if (this.first || FATAL.has(error.code) || error.code === 303) {
        this.stop('join refused', error);
        return false;
      }
      this.sock.drop();
      return true;
    }
    if (error.code === 306) {
      // The socket sent too fast and its extra frames were dropped: write the unacked sends again
      // later; a send that did get stored is only acked again.
      clearTimeout(this.rateTimer);
      this.rateTimer = setTimeout(() => {
        for (const p of this.pending.values()) this.write(p);
      }, RATE_RETRY_MS);
      return true;
    }
    if (error.field !== undefined && ['msg', 'color', 'client_id', 'reply_to', 'attachments'].includes(error.field)) {
      // Refused sends are answered in the order they were written; acks may come later.
      for (const [id, p] of this.pending) {
        if (!p.written) continue;
        this.pending.delete(id);
        p.reject(new ChitChatError(error, 0));
        return false;
      }
    }
    this.emit('error', error);
    return true;
  }

  /** After a drop: whether to reconnect (LiveSocket then waits its backoff). */
  private async afterClose({ opened, code, reason }: ClosedInfo): Promise<boolean> {
    this.joined = false;
    for (const p of this.pending.values()) p.written = false;
    if (this.first && !opened) {
      // The first attempt: say why at once instead of retrying in silence.
      const why = await this.whyRefused();
      if (!this.stopped) this.stop('refused', why ?? { code: 0, error: reason.startsWith('Cannot open') ? reason : `Cannot connect to ${this.rest.baseUrl}` });
      return false;
    }
    if (this.opts.reconnect === false) {
      this.stop(`closed by the server (${code}${reason ? ` ${reason}` : ''})`);
      return false;
    }
    if (!opened || code === 1008) {
      // A refused upgrade (browsers hide its answer) or a revoked or expired token: ask the API.
      const why = await this.whyRefused();
      if (this.stopped) return false;
      if (why && FATAL.has(why.code)) {
        this.stop('refused', why);
        return false;
      }
    }
    return true;
  }

  /**
   * Why a socket was refused, from the REST API: undefined when nothing is wrong there (or the
   * server is down: try again). A token that no longer works is renewed or issued again first.
   */
  private async whyRefused(): Promise<ApiError | undefined> {
    try {
      // History checks the token (the room JSON would only leave out its people).
      await this.rest.messages(this.room, { limit: 1 }, this.token);
      return undefined;
    } catch (err) {
      const e = err as ChitChatError;
      if (e.status === 0 || e.transient) return e.status === 0 && this.first ? { code: 0, error: e.message } : undefined;
      if (e.code === 403 || e.code === 401 || e.code === 104) {
        const renewed = await this.refreshToken();
        return renewed === true ? undefined : renewed;
      }
      return e.body;
    }
  }

  /** Whether this socket joins a name (else it only listens). */
  private get joins(): boolean {
    return this.opts.name !== undefined && !this.opts.listenOnly;
  }

  private setToken(held: HeldToken): void {
    this.held = held;
    this.armRenewal();
  }

  /** Timers hold at most ~24.8 days; a bot's year-long token is looked at again until then. */
  private armRenewal(): void {
    clearTimeout(this.renewTimer);
    const at = this.held?.renewAt;
    if (at === undefined || this.stopped) return;
    const wait = at - Date.now();
    const MAX_TIMER_MS = 2 ** 31 - 1;
    this.renewTimer = setTimeout(() => (wait > MAX_TIMER_MS ? this.armRenewal() : void this.renew()), Math.max(0, Math.min(wait, MAX_TIMER_MS)));
  }

  /** Renews before expiry; a failure that may pass is retried while the token lasts. */
  private async renew(): Promise<void> {
    if (this.stopped) return;
    const result = await this.refreshToken();
    if (result === true || this.stopped) return;
    if (result.code === 0 || result.code === 306 || result.code === 500) {
      const left = (this.held?.expiresAt ?? Date.now()) - Date.now();
      this.renewTimer = setTimeout(() => void this.renew(), Math.max(1000, Math.min(30_000, left / 2)));
      return;
    }
    this.stop('token refused', result);
  }

  /** A fresh token: renewed with the current one, else asked for again with the credentials. */
  private async refreshToken(): Promise<true | ApiError> {
    const { secret, ownerKey, name } = this.opts;
    let grant: TokenGrant | null = null;
    let failure: ChitChatError | undefined;
    if (this.held) {
      try {
        grant = await this.rest.renewToken(this.room, this.held.token);
      } catch (err) {
        failure = err as ChitChatError;
      }
    }
    if (!grant && (secret !== undefined || ownerKey !== undefined) && (!failure || !failure.transient)) {
      try {
        grant = await this.rest.token(this.room, { name: name ?? '', ...(secret !== undefined && { secret }), ...(ownerKey !== undefined && { ownerKey }) });
        failure = undefined;
      } catch (err) {
        failure = err as ChitChatError;
      }
    }
    if (!grant) {
      if (!failure) return { code: 403, error: 'Token error: Invalid token', field: 'token' };
      return failure.body;
    }
    if (this.stopped) return true;
    this.setToken(holdToken(grant));
    this.emit('token', grant);
    // SPEC §12: an open socket is told, so the server does not close it when the old one expires.
    if (this.sock.isOpen && !this.tokenEventUnknown) {
      this.tokenEventSent = true;
      this.sock.send({ event_type: 'token', token: grant.token });
    }
    return true;
  }

  /** Ends the session for good; resolves once the socket is closed. */
  private stop(reason: string, error?: ApiError): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    for (const t of [this.renewTimer, this.rateTimer]) clearTimeout(t);
    const err = new ChitChatError(error ?? { code: 0, error: `The room socket is ${reason}` }, 0);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.first?.reject(err);
    this.first = undefined;
    for (const q of this.queues) q.end();
    this.queues.clear();
    const closing = this.sock.stop(); // says 'closed' in a status event
    this.emit('closed', { reason, ...(error && { error }) });
    return closing;
  }
}

const MAPPED = new Set(['join', 'leave', 'devices', 'typing', 'edit', 'delete', 'room_updated']);
function isMapped(type: string): type is 'join' | 'leave' | 'devices' | 'typing' | 'edit' | 'delete' | 'room_updated' {
  return MAPPED.has(type);
}

/** The contract's rule for `msg` (SPEC §4), checked here so a bad one never reaches the socket. */
function validText(msg: unknown): boolean {
  if (typeof msg !== 'string') return false;
  const len = [...msg].length;
  return len >= 1 && len <= LIMITS.messageMax && msg.trim() !== '' && !msg.includes('\u0000');
}

/** 128 random bits; getRandomValues works in browsers on plain http too (randomUUID does not). */
function randomId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
