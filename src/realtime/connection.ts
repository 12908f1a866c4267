// One socket's session in one room. Handlers never throw: bad input becomes an `error` event
// and the socket lives on; a socket that cannot keep up is closed alone, never the room.
import type { WebSocket } from 'ws';
import type { Broker, RoomEvent } from '../broker/broker.js';
import type { TokenClaims } from '../auth/tokens.js';
import { AppError } from '../domain/errors.js';
import type { StoredMessage } from '../domain/message.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { dispatch } from './actions/index.js';
import { encode } from './events.js';
import { FrameWriter, textFrame } from './frames.js';
import type { Hub } from './hub.js';
import { TokenBucket } from './rate.js';
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
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tryAgainLater: 1013,
  normal: 1000,
} as const;

/** Replay pages: recovery reads the store in chunks of this many messages. */
const REPLAY_PAGE = 200;
/** Frames read but not yet handled before the socket stops reading from the network. */
const MAX_QUEUED_FRAMES = 256;

type Held = [RoomEvent, Buffer | null];

export class Connection {
  name: string | null = null;
  nameKey: string | null = null;
  /** The colour of the socket's latest join or send. */
  color = '';
  /** When the presence entry last recorded activity (ms since the epoch). */
  lastTouch = 0;
  /** seq of the newest message written to this socket (or the baseline start() was given). */
  private lastSeq = 0;
  /** While replaying or filling a gap, live events wait here in arrival order. */
  private held: Held[] | null = null;
  private heldBytes = 0;
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
  private ended!: () => void;
  /** Resolves once the socket closed and its name was released (its leave published). */
  readonly finished = new Promise<void>((resolve) => (this.ended = resolve));
  /** Sends queued for the store whose ack is not written yet; a leave waits for them. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly ws: WebSocket,
    readonly roomId: number,
    readonly claims: TokenClaims | null,
    readonly address: string,
    readonly ctx: ChatContext,
  ) {
    this.bucket = new TokenBucket(ctx.limits.messagesPerSecond, ctx.limits.messagesBurst);
    this.out = FrameWriter.of(ws);
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
        if (this.queuedFrames-- === MAX_QUEUED_FRAMES && !this.closed) this.ws.resume();
      });
    });
    this.ws.on('pong', () => (this.missedPongs = 0));
    this.ws.on('close', () => void this.onClose());
    this.ws.on('error', () => this.ws.terminate());
    this.held = [];
    this.lastSeq = since;
    await this.ctx.hub.add(this);
    await this.catchUp(undefined);
  }

  /** Called by the hub for every event of the room, with the event's bytes. */
  deliver(event: RoomEvent, frame: Buffer | null): void {
    if (this.closed) return;
    if (event.probeName !== undefined) {
      // Someone asks for this socket's name: keep it only if the peer is still there.
      if (event.probeName === this.nameKey) void this.probe(this.ctx.probeMs).then((alive) => alive || this.drop());
      return;
    }
    if (event.onlyName !== undefined && event.onlyName !== this.nameKey) return;
    if (event.exceptName !== undefined && event.exceptName === this.nameKey) return;
    if (this.held) {
      this.heldBytes += frame?.length ?? 0;
      this.held.push([event, frame]);
      if (this.heldBytes > this.ctx.maxBufferedBytes) this.tooSlow();
      return;
    }
    if (event.seq !== undefined) {
      if (event.seq <= this.lastSeq) return; // already written (replay, or a duplicate publish)
      if (event.seq > this.lastSeq + 1) {
        // Another node's earlier message has not reached us yet: read it from the store.
        this.held = [[event, frame]];
        this.heldBytes = frame?.length ?? 0;
        void this.catchUp(event.seq);
        return;
      }
      this.lastSeq = event.seq;
    }
    if (frame) this.write(frame);
    if (event.close) this.close(event.close.code, event.close.reason);
    else if (event.revokeBelowGen !== undefined && this.revokedBy(event.revokeBelowGen)) {
      this.close(CLOSE.policy, 'token revoked');
    }
  }

  /** Writes stored messages after lastSeq (up to `until`, exclusive), then releases held events. */
  private async catchUp(until: number | undefined): Promise<void> {
    try {
      let written: Promise<void> | undefined;
      for (;;) {
        const page = await this.ctx.store.messages(this.roomId, {
          after: this.lastSeq,
          ...(until !== undefined && { before: until }),
          limit: REPLAY_PAGE,
        });
        if (this.closed) return;
        for (const m of page.messages) {
          written = this.replayMessage(m) ?? written;
          // A replay is this socket's own backlog, which can be far larger than maxBufferedBytes;
          // judged by that limit, a healthy client was closed with 1013 on every ?since attempt
          // once its backlog outgrew the kernel buffers. So past the limit, wait for the socket
          // to take what is queued. Slowness still counts where it matters: live events held
          // meanwhile are capped by maxBufferedBytes (deliver), and a peer that stops reading is
          // dropped by the ping timeout, which also ends this wait.
          if (written && this.ws.bufferedAmount > this.ctx.maxBufferedBytes) await written;
        }
        if (!page.hasMore) break;
      }
      if (until !== undefined) this.lastSeq = Math.max(this.lastSeq, until - 1);
      // Let the replay reach the kernel before the held events go out under the live limit.
      if (written && this.ws.bufferedAmount > 0) await written;
    } catch (err) {
      this.ctx.log.error({ err, roomId: this.roomId }, 'replay failed');
      this.close(CLOSE.tryAgainLater, 'replay failed');
      return;
    }
    if (this.closed) return;
    const held = this.held ?? [];
    this.held = null;
    this.heldBytes = 0;
    for (let i = 0; i < held.length; i++) {
      const [event, frame] = held[i]!;
      this.deliver(event, frame);
      // A gap found while draining starts a new catch-up, which takes the rest along.
      const again = this.held as Held[] | null; // deliver() may have started a new catch-up
      if (again) {
        again.push(...held.slice(i + 1));
        return;
      }
    }
  }

  /**
   * Writes one stored message of a replay, unless already written. Resolves once the frame (so
   * everything before it) reached the kernel, or once the socket is gone (the callback then
   * gets an error; the replay stops at its next check of `closed`).
   */
  private replayMessage(m: StoredMessage): Promise<void> | undefined {
    if (this.closed || m.seq <= this.lastSeq) return undefined;
    this.lastSeq = m.seq;
    return new Promise<void>((resolve) => this.ws.send(Buffer.from(encode.message(m)), { binary: false }, () => resolve()));
  }

  private write(frame: Buffer): void {
    if (this.closed) return;
    // During a replay or gap fill, direct writes (ack, presence, error) queue behind the held
    // events: an ack must not overtake its own message (SPEC §4: broadcast, then ack).
    if (this.held) {
      this.held.push([{ data: '' }, frame]);
      this.heldBytes += frame.length;
      return;
    }
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.out.backlog(this.ws) > this.ctx.maxBufferedBytes) return this.tooSlow();
    this.out.write(frame);
  }

  private tooSlow(): void {
    this.ctx.metrics.slowConsumers.inc();
    this.close(CLOSE.tryAgainLater, 'too slow: reconnect with ?since');
    // A stalled peer may never read the close frame; do not wait for it.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private revokedBy(gen: number): boolean {
    // Owner and bot tokens do not depend on the password; bots end by revocation.
    if (this.claims?.role === 'owner' || this.claims?.role === 'bot') return false;
    return this.claims === null || this.claims.gen < gen;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    this.ws.close(code, reason);
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

  get isClosed(): boolean {
    return this.closed;
  }

  /** The socket now speaks as `name` (a join succeeded). */
  bind(name: string, key: string, color: string): void {
    this.name = name;
    this.nameKey = key;
    this.color = color;
    this.lastTouch = Date.now();
  }

  /** The name this socket joined with; error 304 when it has not joined. */
  joined(): { name: string; key: string } {
    if (this.name === null || this.nameKey === null) throw new AppError(304, 'name');
    return { name: this.name, key: this.nameKey };
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

  /** Releases the name and broadcasts `leave`, after the name's last messages went out. */
  async leave(): Promise<void> {
    const { name, key } = { name: this.name, key: this.nameKey };
    if (name === null || key === null) return;
    this.name = null;
    this.nameKey = null;
    // The name's last messages go out before its leave.
    if (this.sending.size > 0) await Promise.allSettled([...this.sending]);
    await this.ctx.broker.releaseName(this.roomId, key);
    await this.ctx.broker.publish(this.roomId, { data: encode.leave(this.roomId, name, this.color) });
  }

  private async onClose(): Promise<void> {
    this.closed = true;
    this.held = null;
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
