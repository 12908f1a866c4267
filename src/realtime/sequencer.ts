// One socket's view of the room's messages: each seq written once, in order, with no gap (SPEC
// §4, §6). Live events come from the broker; a `?since` replay, a gap (a later seq arriving
// first, as across nodes) or a resync after a broker outage reads the store instead, while live
// events and the socket's own replies wait in arrival order and go out after.
import type { WebSocket } from 'ws';
import type { RoomEvent } from '../broker/broker.js';
import type { StoredMessage } from '../domain/message.js';
import { CLOSE } from './close.js';
import type { ChatContext } from './connection.js';
import { encode } from './events.js';

/** Replay pages: recovery reads the store in chunks of this many messages. */
const REPLAY_PAGE = 50;
/** Bytes a replay may queue beyond what the kernel took before it waits for the socket (SPEC §6). */
export const REPLAY_BUFFER_BYTES = 1024 * 1024;

type Held = [RoomEvent, Buffer | null];

/** What the sequencer needs of its socket's session (Connection). */
export interface SequencedSocket {
  readonly roomId: number;
  readonly address: string;
  readonly ctx: ChatContext;
  /** Closed by us. */
  readonly isClosed: boolean;
  /** Closed by us, or closing from the peer's side. */
  readonly isGone: boolean;
  /** Takes a held event again, through the socket's filters, once a catch-up is over. */
  deliver(event: RoomEvent, frame: Buffer | null): void;
  /** More is held than the socket may queue: close it (1013). */
  tooSlow(): void;
  /** Closes the socket (the store failed us). */
  close(code: number, reason: string): void;
  /** A replay's socket took nothing for replayStallMs: cut it. */
  stalled(): void;
}

export class Sequencer {
  /** seq of the newest message written to this socket (or the baseline begin() was given). */
  private lastSeq = 0;
  /** While replaying or filling a gap, live events wait here in arrival order. */
  private held: Held[] | null = null;
  private heldBytes = 0;
  /** A resync was asked for while a catch-up was under way: run another once it ends. */
  private resyncWanted = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: SequencedSocket,
  ) {}

  /**
   * Holds live events from now on, with `since` as the last seq the socket has; replay() then
   * writes what the store has after it and releases them.
   */
  begin(since: number): void {
    this.held = [];
    this.lastSeq = since;
  }

  replay(): Promise<void> {
    return this.catchUp(undefined);
  }

  /**
   * A live event that passed the socket's filters: true when it is to be written now. Held while
   * a catch-up runs; a seq already written is dropped; a seq beyond the next starts a catch-up.
   */
  accept(event: RoomEvent, frame: Buffer | null): boolean {
    if (this.held) {
      this.heldBytes += frame?.length ?? 0;
      this.held.push([event, frame]);
      if (this.heldBytes > this.socket.ctx.maxBufferedBytes) this.socket.tooSlow();
      return false;
    }
    if (event.seq !== undefined) {
      if (event.seq <= this.lastSeq) return false; // already written (replay, or a duplicate publish)
      if (event.seq > this.lastSeq + 1) {
        // Another node's earlier message has not reached us yet: read it from the store.
        this.held = [[event, frame]];
        this.heldBytes = frame?.length ?? 0;
        void this.catchUp(event.seq);
        return false;
      }
      this.lastSeq = event.seq;
    }
    return true;
  }

  /**
   * A frame for this socket alone (ack, presence, error): true when it was queued behind a
   * catch-up's held events, where an ack must not overtake its own message (SPEC §4).
   */
  queue(frame: Buffer): boolean {
    if (!this.held) return false;
    this.held.push([{ data: '' }, frame]);
    this.heldBytes += frame.length;
    return true;
  }

  /** Drops what is held: the socket is closing, or its kick must go out now. */
  stop(): void {
    this.held = null;
  }

  /**
   * Reads the store for messages after lastSeq that the broker may not have carried (an outage),
   * even when no later message arrives to reveal the gap.
   */
  resync(): void {
    if (this.socket.isClosed) return;
    if (this.held) {
      this.resyncWanted = true;
      return;
    }
    this.held = [];
    this.heldBytes = 0;
    void this.catchUp(undefined);
  }

  /** Writes stored messages after lastSeq (up to `until`, exclusive), then releases held events. */
  private async catchUp(until: number | undefined): Promise<void> {
    const { ctx, roomId } = this.socket;
    try {
      let written: Promise<void> | undefined;
      for (;;) {
        const page = await ctx.store.messages(roomId, {
          after: this.lastSeq,
          ...(until !== undefined && { before: until }),
          limit: REPLAY_PAGE,
        });
        if (this.socket.isClosed) return;
        let sent = 0;
        for (const m of page.messages) {
          if (this.socket.isGone) break;
          const w = this.replayMessage(m);
          if (w) {
            written = w;
            sent++;
          }
          // A replay is this socket's own backlog, which can be far larger than maxBufferedBytes;
          // judged by that limit, a healthy client was closed with 1013 on every ?since attempt
          // once its backlog outgrew the kernel buffers. So past REPLAY_BUFFER_BYTES, wait for the
          // socket to take what is queued: memory stays bounded however large the backlog, and a
          // peer that takes nothing for replayStallMs is dropped. Live events held meanwhile are
          // still capped by maxBufferedBytes (accept).
          if (written && this.ws.bufferedAmount > REPLAY_BUFFER_BYTES && !(await this.drained(written))) break;
        }
        ctx.metrics.replayedMessages.inc(sent);
        // Stop as soon as the socket is gone (SPEC §6): pages are read synchronously by SQLite, so
        // without a turn of the event loop here the close would only be seen after the whole backlog.
        if (this.socket.isGone) return;
        if (!page.hasMore) break;
        await new Promise((resolve) => setImmediate(resolve));
        if (this.socket.isGone) return;
      }
      if (until !== undefined) this.lastSeq = Math.max(this.lastSeq, until - 1);
      // Let the replay reach the kernel before the held events go out under the live limit.
      if (written && this.ws.bufferedAmount > 0) await written;
    } catch (err) {
      ctx.log.error({ err, roomId }, 'replay failed');
      this.socket.close(CLOSE.tryAgainLater, 'replay failed');
      return;
    }
    if (this.socket.isClosed) return;
    const held = this.held ?? [];
    this.held = null;
    this.heldBytes = 0;
    for (let i = 0; i < held.length; i++) {
      const [event, frame] = held[i]!;
      this.socket.deliver(event, frame);
      // A gap found while draining starts a new catch-up, which takes the rest along.
      const again = this.held as Held[] | null; // deliver() may have started a new catch-up
      if (again) {
        again.push(...held.slice(i + 1));
        return;
      }
    }
    if (this.resyncWanted) {
      this.resyncWanted = false;
      this.resync();
    }
  }

  /**
   * Waits until `written` (the replay's latest frame) reached the kernel. False when the socket
   * closed meanwhile or made no progress for replayStallMs; such a socket is dropped.
   */
  private async drained(written: Promise<void>): Promise<boolean> {
    const { ctx } = this.socket;
    let queued = this.ws.bufferedAmount;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const flushed = await Promise.race([
        written.then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ctx.replayStallMs))),
      ]);
      clearTimeout(timer);
      if (this.socket.isClosed) return false;
      if (flushed) return true;
      const now = this.ws.bufferedAmount;
      if (now >= queued) {
        ctx.metrics.replaysDropped.inc();
        ctx.log.warn({ roomId: this.socket.roomId, address: this.socket.address, queued: now }, 'replay stalled: socket dropped');
        this.held = null;
        this.socket.stalled();
        return false;
      }
      queued = now;
    }
  }

  /**
   * Writes one stored message of a replay, unless already written. Resolves once the frame (so
   * everything before it) reached the kernel, or once the socket is gone (the callback then
   * gets an error; the replay stops at its next check of isClosed).
   */
  private replayMessage(m: StoredMessage): Promise<void> | undefined {
    if (this.socket.isClosed || m.seq <= this.lastSeq) return undefined;
    this.lastSeq = m.seq;
    return new Promise<void>((resolve) => this.ws.send(Buffer.from(encode.message(m)), { binary: false }, () => resolve()));
  }
}
