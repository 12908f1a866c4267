// One socket's session in one room. Handlers never throw: bad input becomes an `error` event
// and the socket lives on; a socket that cannot keep up is closed alone, never the room. The
// order of what it is sent (each seq once, no gap, replays and gap fills) is sequencer.ts's.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Access } from '../auth/access.js';
import type { Identities, NameIdentity } from '../auth/identity.js';
import type { Broker, RoomEvent } from '../broker/broker.js';
import type { TokenClaims } from '../auth/tokens.js';
import { AppError } from '../domain/errors.js';
import type { StoredMessage } from '../domain/message.js';
import { nameKey } from '../domain/names.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { dispatch } from './actions/index.js';
import { CLOSE } from './close.js';
import { encode } from './events.js';
import { FrameWriter, textFrame } from './frames.js';
import type { Hub } from './hub.js';
import { TokenBucket } from './rate.js';
import { Sequencer, type SequencedSocket } from './sequencer.js';
import type { MessageWriter } from './writer.js';

export interface ChatContext {
  store: Store;
  broker: Broker;
  writer: MessageWriter;
  hub: Hub;
  metrics: Metrics;
  limits: { messagesPerSecond: number; messagesBurst: number };
  /**
   * Bytes queued for one socket (plus events held during a replay) before it is closed with 1013.
   * A ?since replay itself does not count against it: the replay waits for the socket instead.
   */
  maxBufferedBytes: number;
  /** How long a name's holder has to answer a ping when someone else asks for its name. */
  probeMs: number;
  /** A ?since replay whose socket takes nothing for this long is dropped (SPEC §6: 30 s). */
  replayStallMs: number;
  /** Name secrets and trip codes (SPEC §12). */
  identities: Identities;
  /** Checks the tokens of `token` events. */
  access: Access;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Re-exported: routes that close sockets import the codes from here. */
export { CLOSE };

/** A socket closed for being too slow is cut if it takes none of its queue for this long, ms. */
const STALLED_MS = 2000;
/** Frames read but not yet handled before the socket stops reading from the network. */
const MAX_QUEUED_FRAMES = 256;

/** setTimeout's ceiling; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Connection implements SequencedSocket {
  name: string | null = null;
  nameKey: string | null = null;
  /** This socket among the name's sockets (one person's tabs and devices), unique across nodes. */
  readonly device = randomUUID();
  /** Who joined: the name secret's hash and trip, once joined. */
  identity: NameIdentity | null = null;
  /** The name key of the socket's token: a ban of the name closes the socket even before it joins. */
  private tokenKey: string | null;
  private expiry: NodeJS.Timeout | undefined;
  /** The colour of the socket's latest join or send. */
  color = '';
  /** When the presence entry last recorded activity (ms since the epoch). */
  lastTouch = 0;
  /** Every message once, in seq order: live, replayed, or read to fill a gap. */
  private readonly sequencer: Sequencer;
  private closed = false;
  private readonly bucket: TokenBucket;
  private readonly out: FrameWriter;
  /** Pings sent since the last pong; two unanswered intervals drop the socket. */
  private missedPongs = 0;
  /**
   * Frames are handled one after another, in the order they arrived: a join and the sends read
   * with it in one TCP segment must not race (the sends would find no name yet). A send holds
   * the line only until its message is queued for the store, so one socket's burst still
   * shares a group commit; its ack follows the durable write on its own.
   */
  private line: Promise<void> = Promise.resolve();
  private queuedFrames = 0;
  /** The server drains: no more frames are read until the socket is closed. */
  private draining = false;
  private ended!: () => void;
  /** Resolves once the socket closed and its name was released (its leave published). */
  readonly finished = new Promise<void>((resolve) => (this.ended = resolve));
  /** Sends queued for the store whose ack is not written yet; a leave waits for them. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly ws: WebSocket,
    readonly roomId: number,
    private tokenClaims: TokenClaims | null,
    readonly address: string,
    readonly ctx: ChatContext,
  ) {
    this.bucket = new TokenBucket(ctx.limits.messagesPerSecond, ctx.limits.messagesBurst);
    this.out = FrameWriter.of(ws);
    this.sequencer = new Sequencer(ws, this);
    this.tokenKey = tokenClaims && nameKey(tokenClaims.name);
  }

  get claims(): TokenClaims | null {
    return this.tokenClaims;
  }

  /**
   * A fresh token for the same room, name and role (the `token` event) moves the socket's end to
   * the new token's expiry; the caller has checked it.
   */
  extend(claims: TokenClaims): void {
    this.tokenClaims = claims;
    this.armExpiry();
  }

  /** A socket whose token expires is closed (SPEC §12), unless a `token` event extended it. */
  private armExpiry(): void {
    clearTimeout(this.expiry);
    if (!this.tokenClaims || this.closed) return;
    const ms = this.tokenClaims.expiresAt.getTime() - Date.now();
    this.expiry = setTimeout(() => {
      if (this.tokenClaims && this.tokenClaims.expiresAt.getTime() > Date.now()) this.armExpiry();
      else this.close(CLOSE.policy, 'token expired');
    }, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    this.expiry.unref();
  }

  /**
   * Registers with the hub, then writes every stored message after `since`; live events wait
   * meanwhile and are released after, skipping what was replayed. Without `?since` the upgrade
   * passes the room's last seq as read before subscribing, so every socket has a baseline and a
   * message stored in between is written rather than lost.
   */
  async start(since: number): Promise<void> {
    this.ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      if (++this.queuedFrames === MAX_QUEUED_FRAMES) this.ws.pause();
      this.line = this.line.then(async () => {
        await this.onFrame(text);
        if (this.queuedFrames-- === MAX_QUEUED_FRAMES && !this.closed && !this.draining) this.ws.resume();
      });
    });
    this.ws.on('pong', () => (this.missedPongs = 0));
    this.ws.on('close', () => void this.onClose());
    this.ws.on('error', () => this.ws.terminate());
    this.sequencer.begin(since);
    this.armExpiry();
    await this.ctx.hub.add(this);
    await this.sequencer.replay();
  }

  /** Called by the hub for every event of the room, with the event's bytes. */
  deliver(event: RoomEvent, frame: Buffer | null): void {
    if (this.closed) return;
    if (event.probeName !== undefined) {
      // Someone asks for this socket's name: keep it only if the peer is still there.
      if (event.probeName === this.nameKey) void this.probe(this.ctx.probeMs).then((alive) => alive || this.drop());
      return;
    }
    if (event.resync) return this.resync();
    if (event.onlyName !== undefined && event.onlyName !== this.nameKey && event.onlyName !== this.tokenKey) return;
    if (event.banAddressUntil !== undefined) return this.banned(event.banAddressUntil, frame);
    if (event.exceptName !== undefined && event.exceptName === this.nameKey) return;
    if (!this.sequencer.accept(event, frame)) return;
    if (frame) this.write(frame);
    if (event.close) this.close(event.close.code, event.close.reason);
    else if (event.revokeBelowGen !== undefined && this.revokedBy(event.revokeBelowGen)) {
      this.close(CLOSE.policy, 'token revoked');
    }
  }

  /** Reads the store for what a broker outage may have lost (the hub asks, after one). */
  resync(): void {
    this.sequencer.resync();
  }

  private write(frame: Buffer): void {
    if (this.closed) return;
    // During a replay or gap fill, direct writes (ack, presence, error) queue behind the held
    // events: an ack must not overtake its own message (SPEC §4: broadcast, then ack).
    if (this.sequencer.queue(frame)) return;
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.out.backlog(this.ws) > this.ctx.maxBufferedBytes) return this.tooSlow();
    this.out.write(frame);
  }

  /**
   * This socket's name was banned: its address is banned too (so the person cannot come back
   * under another name from there), then it gets `kicked` and is closed. Bans are rare; the
   * write is awaited so the address is refused by the time the socket sees its close.
   */
  private banned(until: string, frame: Buffer | null): void {
    const store = this.ctx.store;
    const key = this.nameKey ?? this.tokenKey ?? '';
    const record = until === '' ? Promise.resolve() : store.banAddress(this.roomId, this.address, key, until);
    void record
      .catch((err: unknown) => this.ctx.log.error({ err, roomId: this.roomId }, 'address ban failed'))
      .finally(() => {
        this.sequencer.stop(); // the kick goes out now, whatever a replay holds
        if (frame) this.write(frame);
        this.close(CLOSE.policy, 'banned');
      });
  }

  tooSlow(): void {
    this.ctx.metrics.slowConsumers.inc();
    this.close(CLOSE.tryAgainLater, 'too slow: reconnect with ?since');
    // The close frame waits behind what is queued (at most maxBufferedBytes, and nothing is added
    // now). A peer that goes on reading reaches it and learns to reconnect with ?since; cutting
    // the connection at a fixed delay dropped the queue with the frame, and the peer saw only a
    // broken connection (1006). A peer that takes nothing for STALLED_MS is cut.
    let queued = this.ws.bufferedAmount;
    const watch = setInterval(() => {
      const now = this.ws.bufferedAmount;
      if (this.ws.readyState === this.ws.CLOSED || now === 0) clearInterval(watch);
      else if (now >= queued) {
        clearInterval(watch);
        this.ws.terminate();
      }
      queued = now;
    }, STALLED_MS);
    watch.unref();
  }

  private revokedBy(gen: number): boolean {
    // Owner and bot tokens do not depend on the password; bots end by revocation.
    if (this.claims?.role === 'owner' || this.claims?.role === 'bot') return false;
    return this.claims === null || this.claims.gen < gen;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    this.sequencer.stop();
    this.ws.close(code, reason);
    // Reading again lets the peer's close frame in; frames that follow ours are not handled.
    if (this.draining) this.ws.resume();
  }

  /**
   * For a drain: stops reading frames, then resolves once every frame already read was handled
   * and every send among them answered (ack or error), so closing loses no answer.
   */
  async settle(): Promise<void> {
    this.draining = true;
    this.ws.pause();
    for (let line = this.line; ; line = this.line) {
      await line;
      await Promise.allSettled([...this.sending]);
      if (line === this.line && this.sending.size === 0) return;
    }
  }

  ping(): void {
    if (this.missedPongs >= 2) return this.drop();
    this.missedPongs++;
    this.ws.ping();
  }

  /** Writes an error event to this socket; anything but an AppError is logged and sent as 500. */
  sendError(err: unknown): void {
    if (!(err instanceof AppError)) {
      this.ctx.log.error({ err, roomId: this.roomId }, 'socket handler failed');
      err = new AppError(500);
    }
    this.write(textFrame(encode.error(this.roomId, (err as AppError).body())));
  }

  /** Writes an event meant for this socket alone (ack, presence, error), after what it already got. */
  reply(json: string): void {
    this.write(textFrame(json));
  }

  /** Handles one frame (null: a binary one); never rejects. */
  private async onFrame(text: string | null): Promise<void> {
    if (this.closed) return;
    try {
      if (text === null) throw new AppError(303);
      if (!this.bucket.take()) throw new AppError(306);
      await dispatch(this, text);
    } catch (err) {
      this.sendError(err);
    }
  }

  /** Closed by us, or closing from the peer's side (ws marks that before its 'close' event). */
  get isGone(): boolean {
    return this.closed || this.ws.readyState !== this.ws.OPEN;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The socket now speaks as `name` (a join succeeded), as the person `identity`. */
  bind(name: string, key: string, color: string, identity: NameIdentity): void {
    this.name = name;
    this.nameKey = key;
    this.identity = { hash: identity.hash, trip: identity.trip };
    this.color = color;
    this.lastTouch = Date.now();
  }

  /** The name this socket joined with; error 304 when it has not joined. */
  joined(): { name: string; key: string } {
    if (this.name === null || this.nameKey === null) throw new AppError(304, 'name');
    return { name: this.name, key: this.nameKey };
  }

  /** Whether this socket's person wrote the message; messages from before name secrets have no author. */
  wrote(m: StoredMessage): boolean {
    return this.identity !== null && typeof m.author === 'string' && m.author === this.identity.hash;
  }

  /** A send queued for the store whose ack is not written yet: a leave waits for it. */
  track(pending: Promise<void>): void {
    const done = pending.finally(() => this.sending.delete(done));
    this.sending.add(done);
  }

  /** Resolves true when the peer answers a ping within `ms`. */
  probe(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const answered = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.ws.off('pong', answered);
        resolve(false);
      }, ms);
      this.ws.once('pong', answered);
      this.ws.ping();
    });
  }

  /** Cuts the connection at once, without a closing handshake (the peer is unreachable). */
  drop(): void {
    this.ws.terminate();
  }

  /** A replay this socket took nothing of for replayStallMs: cut, with nothing more written. */
  stalled(): void {
    this.closed = true;
    this.sequencer.stop();
    this.drop();
  }

  /**
   * Releases the name and, if this was its last socket, broadcasts `leave`, after the name's last
   * messages went out.
   */
  async leave(): Promise<void> {
    const { name, key, identity } = { name: this.name, key: this.nameKey, identity: this.identity };
    if (name === null || key === null) return;
    this.name = null;
    this.nameKey = null;
    this.identity = null;
    // The name's last messages go out before its leave.
    if (this.sending.size > 0) await Promise.allSettled([...this.sending]);
    const last = await this.ctx.broker.releaseName(this.roomId, key, this.device);
    if (identity) await this.ctx.store.touchNameSecret(this.roomId, identity.hash);
    if (last) await this.ctx.broker.publish(this.roomId, { data: encode.leave(this.roomId, name, this.color) });
    else await this.publishDevices(name, key);
  }

  /** Tells the room how many devices a person who keeps others has left (SPEC §12). */
  private async publishDevices(name: string, key: string): Promise<void> {
    const entry = (await this.ctx.broker.presence(this.roomId)).find((u) => nameKey(u.username) === key);
    // Gone meanwhile: its last device's `leave` tells the room.
    if (entry?.devices !== undefined) await this.ctx.broker.publish(this.roomId, { data: encode.devices(this.roomId, name, entry.devices) });
  }

  private async onClose(): Promise<void> {
    this.closed = true;
    clearTimeout(this.expiry);
    this.sequencer.stop();
    this.ctx.hub.remove(this);
    this.ctx.hub.releaseAddress(this.address);
    try {
      await this.leave();
    } catch (err) {
      this.ctx.log.warn({ err, roomId: this.roomId }, 'leave on close failed');
    } finally {
      this.ended();
    }
  }
}
