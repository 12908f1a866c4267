// One person's presence in one room: history, the live socket, pending sends, presence and
// typing. The screen renders `state`; everything that talks to the server goes through here.
import { api, describeError, socketUrl } from './api';
import { nameSecrets } from './identity';
import { Conversation, type ConversationState } from './conversation';
import { Presence, TYPING_TTL_MS } from './presence';
import { Outbox, type Pending } from './outbox';
import { limitsFrom, Pacer } from './pacing';
import { describeRoomChange } from './roomChanges';
import { RoomConnection, type ConnStatus } from './socket';
import { safeColor } from './storage';
import { Timeline, type TimelineItem } from './timeline';
import { tokens } from './tokens';
import type { ApiError, ChatMessage, ClientEvent, Role, Room, RoomUser, ServerEvent } from './types';

/** Names are unique in a room ignoring case (server rule), so "David" is "david". */
export const sameName = (a: string, b: string) => a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();

export type EndReason = 'kicked' | 'deleted' | 'revoked' | 'banned' | 'duplicate' | 'name';

export type { Pending };

export interface SessionState {
  room: Room;
  name: string;
  color: string;
  role: Role | undefined;
  conn: ConnStatus;
  joined: boolean;
  /** Reconnected, but the server still holds our previous socket under our name. */
  waitingForName: boolean;
  items: readonly TimelineItem[];
  pending: readonly Pending[];
  hasMore: boolean;
  loadingOlder: boolean;
  historyError?: string;
  users: readonly RoomUser[];
  typing: readonly string[];
  ended?: { reason: EndReason; text: string };
  /** This person's trip code in the room, once joined (SPEC §12). */
  trip?: string;
  /** Replies, reactions, read positions, jumps (SPEC §7). */
  conv: ConversationState;
}

export interface SessionOptions {
  room: Room;
  name: string;
  color: string;
  /** Which stored token the socket presents: none in a public room without owner rights. */
  role: Role | undefined;
  /** A message from someone else arrived live (not from a history page). */
  onIncoming?(m: ChatMessage): void;
}

const PAGE = 50;
/** While someone types, others are told this often: the indicator then clears soon after they stop. */
const TYPING_EVERY_MS = 1_000;
/** The rate-limit notice is shown at most this often. */
const SLOW_NOTICE_EVERY_MS = 5 * 60_000;
/** After a drop the server keeps our old socket (and name) until its ping timeout, 60–90 s;
 * a rejoin refused as a duplicate name is retried this often, for this long. */
const REJOIN_EVERY_MS = 3_000;
const REJOIN_FOR_MS = 120_000;

export class ChatSession {
  state: SessionState;
  private readonly timeline = new Timeline();
  private readonly presence = new Presence();
  private readonly outbox = new Outbox(() => this.set({ pending: this.outbox.list }));
  private readonly pacer = new Pacer();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private slowNoticeAt = 0;
  private readonly conn: RoomConnection;
  readonly conv: Conversation;
  private readonly listeners = new Set<() => void>();
  private historyLoaded = false;
  private everJoined = false;
  /** Since when a rejoin has been refused as a duplicate name (0: it has not). */
  private rejoinSince = 0;
  private lastTypingSent = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private notifyQueued = false;
  private stopped = false;
  /** The token the socket last presented or was sent: a renewed one goes to the socket too. */
  private sentToken: string | undefined;
  private readonly unsubscribeTokens: () => void;

  constructor(private readonly opts: SessionOptions) {
    this.conv = new Conversation({
      timeline: this.timeline,
      roomId: opts.room.id,
      token: () => this.token(),
      room: () => this.state.room,
      send: (ev) => this.state.joined && this.conn.send(ev as ClientEvent),
      changed: (p) => {
        if (p.notice) this.timeline.notice(p.notice, 'warn');
        this.set({ items: this.timeline.list, ...(p.conv && { conv: p.conv }), ...(p.hasMore !== undefined && { hasMore: p.hasMore }) });
      },
    });
    this.state = {
      room: opts.room,
      name: opts.name,
      color: opts.color,
      role: opts.role,
      conn: { state: 'connecting', attempt: 0 },
      joined: false,
      waitingForName: false,
      items: [],
      pending: [],
      hasMore: false,
      loadingOlder: false,
      users: [],
      typing: [],
      conv: this.conv.state,
    };
    this.conn = new RoomConnection({
      // Without a loaded history there is no `since` to give: replaying a whole room is not wanted.
      url: () => socketUrl(this.roomId, this.historyLoaded ? this.timeline.lastSeq : undefined),
      protocol: () => this.token(),
      onOpen: () => this.onOpen(),
      onEvent: (ev) => this.onEvent(ev),
      onStatus: (conn) => {
        if (conn.state !== 'live') this.set({ joined: false });
        this.set({ conn });
      },
      onRefused: () => this.whyRefused(),
    });
    // A renewed token extends the open socket (SPEC §12: the `token` event), or it closes when
    // the old one expires.
    this.unsubscribeTokens = tokens.subscribe(() => {
      const t = this.token();
      if (!t || t === this.sentToken || !this.state.joined) return;
      this.sentToken = t;
      // Counted like any event against the socket's rate limit.
      if (this.conn.send({ event_type: 'token', token: t })) this.pacer.spend();
    });
  }

  /** The name's secret in this browser, if the person has one here. */
  get nameSecret(): string | undefined {
    return nameSecrets.get(this.roomId, this.opts.name);
  }

  get roomId(): number {
    return this.opts.room.id;
  }

  token(): string | undefined {
    return this.opts.role ? tokens.get(this.roomId, this.opts.role)?.token : undefined;
  }

  async start(): Promise<void> {
    await this.loadLatest();
    // The person may have left while the history loaded.
    if (this.state.ended || this.stopped) return;
    void this.conv.opened();
    this.conn.start();
    this.timers.push(setInterval(() => this.tick(), 1_000));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeTokens();
    this.conv.stop();
    this.conn.send({ event_type: 'leave' });
    this.conn.stop();
    this.clearTimers();
  }

  /** An arrow so components can pass it around without binding. */
  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** The owner changed the room over REST; the `room_updated` event may come later or not at all. */
  roomChanged(room: Room): void {
    this.applyRoom(updatedRoom(this.state.room, room));
  }

  /** The room as it is now, with a word in the timeline about what changed, if anything did. */
  private applyRoom(next: Room): void {
    const what = describeRoomChange(this.state.room, next);
    if (what) this.timeline.notice(what, 'info');
    this.set({ room: next, items: this.timeline.list });
  }

  // ---- actions -------------------------------------------------------------------------------

  /** `reply_to`: the id of the message this one answers. */
  send(text: string, reply_to?: string): void {
    this.outbox.add(text, this.opts.color, reply_to);
    this.flush();
  }

  retry(client_id: string): void {
    this.outbox.retry(client_id);
    this.flush();
  }

  discard(client_id: string): void {
    this.outbox.discard(client_id);
  }

  typing(): void {
    const now = Date.now();
    // Typing is worth a frame only when messages have budget to spare.
    if (!this.state.joined || now - this.lastTypingSent < TYPING_EVERY_MS || !this.pacer.spare(5)) return;
    this.lastTypingSent = now;
    this.conn.send({ event_type: 'typing' });
  }

  /** Edit and delete need the socket; false tells the caller it was not sent. */
  edit(id: string, msg: string): boolean {
    return this.emit({ event_type: 'edit', id, msg });
  }
  remove(id: string): boolean {
    return this.emit({ event_type: 'delete', id });
  }

  retryNow(): void {
    this.conn.retryNow();
  }

  async loadOlder(): Promise<void> {
    const first = this.timeline.firstSeq;
    if (this.state.loadingOlder || !this.state.hasMore || first === undefined) return;
    this.set({ loadingOlder: true });
    const res = await api.messages(this.roomId, { before: first, limit: PAGE }, this.token());
    if (res.ok) {
      this.timeline.add(res.data.messages ?? []);
      this.set({ items: this.timeline.list, hasMore: !!res.data.has_more, loadingOlder: false, historyError: undefined });
    } else {
      this.set({ loadingOlder: false, historyError: describeError(res.error) });
    }
  }

  // ---- socket --------------------------------------------------------------------------------

  private emit(ev: ClientEvent): boolean {
    if (!this.state.joined || !this.conn.send(ev)) return false;
    this.pacer.spend();
    return true;
  }

  private onOpen(): void {
    // The server keeps a fresh rate-limit bucket for every socket.
    this.pacer.reset();
    this.sentToken = this.token();
    this.join();
    // The socket is live now, so a page fetched from here on overlaps live traffic: no gap.
    if (!this.historyLoaded) void this.loadLatest();
  }

  /** Joins as this person: with the name's secret when this browser has one (another tab or device). */
  private join(): void {
    const secret = this.nameSecret;
    if (this.conn.send({ event_type: 'join', name: this.opts.name, color: this.opts.color, ...(secret && { name_secret: secret }) })) this.pacer.spend();
  }

  private onJoined(): void {
    this.everJoined = true;
    this.rejoinSince = 0;
    this.set({ joined: true, waitingForName: false });
    // Everything unacked goes again with its own client_id: the server stores each id once.
    this.outbox.rewind();
    this.flush();
    this.conv.joined();
    // A `room_updated` sent while we were away is not replayed; ask for the room as it is now.
    void api.getRoom(this.roomId, this.token()).then((res) => {
      if (res.ok) this.roomChanged(res.data);
    });
  }

  private onEvent(ev: ServerEvent): void {
    // SPEC §12's `identity` event announces this socket's limits (older servers do not send it).
    if ((ev as { event_type: string }).event_type === 'identity') {
      const limits = limitsFrom(ev);
      if (limits) this.pacer.setLimits(limits);
    }
    if (this.conv.handle(ev as { event_type: string } & Record<string, unknown>)) return;
    switch (ev.event_type) {
      case 'send':
        return this.onMessage(ev);
      case 'ack':
        if (this.outbox.settle(ev.client_id)) this.flush();
        return;
      case 'identity':
        if (typeof ev.name_secret === 'string') nameSecrets.put(this.roomId, this.opts.name, ev.name_secret);
        this.set({ trip: ev.trip });
        return;
      case 'presence':
        this.presence.reset(Array.isArray(ev.users) ? ev.users : []);
        this.set({ users: this.presence.list });
        if (!this.state.joined) this.onJoined();
        return;
      case 'devices':
        if (typeof ev.name !== 'string' || typeof ev.devices !== 'number') return;
        this.presence.devices(ev.name, ev.devices);
        this.set({ users: this.presence.list });
        return;
      case 'join':
      case 'leave': {
        if (typeof ev.name !== 'string') return;
        const time = ev.time ?? new Date().toISOString();
        if (ev.event_type === 'join') this.presence.joined(ev.name, ev.color, time, ev.trip);
        else this.presence.left(ev.name);
        if (sameName(ev.name, this.opts.name)) {
          if (ev.event_type === 'join' && !this.state.joined) this.onJoined();
        } else {
          // Back within a minute (a reload, a flaky network): the pair says nothing, so it folds away.
          if (ev.event_type === 'leave' || !this.timeline.foldRejoin(ev.name, time)) {
            const text = ev.event_type === 'join' ? `${ev.name} joined the room` : `${ev.name} left the room`;
            this.timeline.notice(text, ev.event_type, time, ev.name);
          }
        }
        this.set({ users: this.presence.list, items: this.timeline.list, typing: this.presence.typists() });
        return;
      }
      case 'typing':
        if (typeof ev.name === 'string' && !sameName(ev.name, this.opts.name)) {
          this.presence.typing(ev.name);
          this.set({ typing: this.presence.typists() });
          // Cleared on time, not on the next second's tick.
          clearTimeout(this.typingTimer);
          this.typingTimer = setTimeout(() => this.refreshTyping(), TYPING_TTL_MS + 20);
        }
        return;
      case 'edit':
        if (this.timeline.edit(ev.id, String(ev.msg ?? ''), Array.isArray(ev.mentions) ? ev.mentions : undefined)) this.set({ items: this.timeline.list });
        return;
      case 'delete':
        if (this.timeline.remove(ev.id)) this.set({ items: this.timeline.list });
        return;
      case 'room_updated':
        return this.applyRoom(updatedRoom(this.state.room, { ...ev, ...(ev.room ?? {}) }));
      case 'room_deleted':
        return this.end('deleted', 'The owner deleted this room.');
      case 'kicked':
        // Sent only to the person removed; the name check guards against a server that broadcasts it.
        if (ev.name === undefined || sameName(ev.name, this.opts.name)) this.end('kicked', 'You were removed from this room by its owner.');
        return;
      case 'error':
        return this.onError(ev.error ?? { code: 0, error: 'Unknown error' });
    }
  }

  private onMessage(m: ChatMessage): void {
    const fresh = this.timeline.add([{ ...m, color: safeColor(m.color) }]);
    if (this.outbox.settle(m.client_id)) this.flush();
    const stopped = this.presence.stoppedTyping(m.name);
    if (fresh.length === 0 && !stopped) return;
    this.set({ items: this.timeline.list, typing: this.presence.typists() });
    if (fresh.length && !sameName(m.name, this.opts.name)) this.opts.onIncoming?.(m);
  }

  private onError(e: { code: number; error: string; field?: string }): void {
    switch (e.code) {
      case 202:
        // Right after a drop the server may still hold our old socket for a while; try again.
        if (this.everJoined) {
          this.rejoinSince ||= Date.now();
          if (Date.now() - this.rejoinSince < REJOIN_FOR_MS) {
            this.set({ waitingForName: true });
            setTimeout(() => this.join(), REJOIN_EVERY_MS);
            return;
          }
        }
        return this.end('duplicate', describeError(e));
      case 204:
        return this.end('banned', 'This name is banned from the room.');
      case 303:
        // The join itself was refused (a name the server does not accept): back to the door.
        if (e.field === 'name' && !this.state.joined) return this.end('name', describeError(e));
        break;
      case 304:
        if (e.field === 'id') break; // not ours to edit or delete
        // The stored secret is no longer good (expired, or the name is someone else's now): forget
        // it and join as whoever the name's holder lets us be.
        if (e.field === 'name_secret') nameSecrets.drop(this.roomId, this.opts.name);
        // Sent before the join took: join again, and the flush after it resends.
        this.set({ joined: false });
        this.join();
        return;
      case 306:
        // Pacing keeps this rare (a server with lower limits than announced, a busy network).
        // The message in flight goes again, before the ones after it; one calm word is enough.
        this.outbox.refused();
        this.flush();
        if (Date.now() - this.slowNoticeAt > SLOW_NOTICE_EVERY_MS) {
          this.slowNoticeAt = Date.now();
          this.timeline.notice('Messages are going out more slowly: the server limits how fast one person can send. They keep their order.', 'info');
          this.set({ items: this.timeline.list });
        }
        return;
      case 401:
      case 402:
      case 403:
        // A renewed token the server would not take for this socket: it closes when its own
        // token ends, and the reconnect presents the new one.
        if (e.field === 'token' && this.state.joined) return;
        return this.end('revoked', 'Your access to this room has expired or was revoked.');
    }
    if ((e.field === 'msg' || e.field === 'reply_to') && this.outbox.failOldest(describeError(e))) return this.flush();
    // A read position the server did not take changes nothing a person sees.
    if (e.field === 'seq') return;
    this.timeline.notice(describeError(e), 'warn');
    this.set({ items: this.timeline.list });
  }

  /** Browsers hide why an upgrade failed; the REST API tells the same story. */
  private async whyRefused(): Promise<boolean> {
    const res = await api.messages(this.roomId, { limit: 1 }, this.token());
    if (!res.ok) this.refused(res);
    return !this.state.ended;
  }

  /** Ends the session when a REST answer says we are out: room gone, name banned, pass revoked. */
  private refused(res: { status: number; error: ApiError }): boolean {
    if (res.status === 404) this.end('deleted', 'This room no longer exists.');
    else if (res.error.code === 204) this.end('banned', 'This name is banned from the room.');
    else if (res.status === 401 || res.status === 403) {
      if (this.opts.role) tokens.drop(this.roomId, this.opts.role);
      this.end('revoked', 'Your access to this room has expired or was revoked. Enter again.');
    }
    return !!this.state.ended;
  }

  /** Sends the next waiting message when it is due, and comes back when the next one will be. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.state.joined || this.stopped) return;
    let paced = 0;
    const next = this.outbox.flush((p) => {
      paced = this.pacer.waitMs();
      if (paced > 0) return false;
      const sent = this.conn.send({ event_type: 'send', msg: p.msg, color: p.color, client_id: p.client_id, ...(p.reply_to && { reply_to: p.reply_to }) });
      if (!sent) return false;
      this.pacer.take();
      return true;
    });
    // 0 with no pacing wait: the socket is down, and the rejoin flushes.
    const wait = next === 0 ? paced : next;
    if (wait) this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private tick(): void {
    this.flush();
    this.conv.tick();
    this.refreshTyping();
  }

  private refreshTyping(): void {
    const typing = this.presence.typists();
    if (typing.join('\n') !== this.state.typing.join('\n')) this.set({ typing });
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.flushTimer);
    clearTimeout(this.typingTimer);
  }

  private async loadLatest(): Promise<void> {
    const res = await api.messages(this.roomId, { limit: PAGE }, this.token());
    if (res.ok) {
      this.timeline.add(res.data.messages ?? []);
      this.historyLoaded = true;
      this.set({ items: this.timeline.list, hasMore: !!res.data.has_more, historyError: undefined });
    } else if (!this.refused(res)) {
      this.set({ historyError: `Could not load earlier messages: ${describeError(res.error)}` });
    }
  }

  private end(reason: EndReason, text: string): void {
    if (this.state.ended) return;
    this.conn.stop();
    this.clearTimers();
    this.set({ ended: { reason, text }, joined: false });
  }

  private set(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    // Replays arrive as bursts of events; render once per burst.
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of this.listeners) l();
    });
  }
}

/** The room with what a `room_updated` event (or a fetched room) says about it; unknown fields kept. */
function updatedRoom(room: Room, upd: Partial<Room>): Room {
  const next = { ...room };
  if (typeof upd.title === 'string') next.title = upd.title;
  if (typeof upd.description === 'string') next.description = upd.description;
  if (upd.visibility === 'public' || upd.visibility === 'private' || upd.visibility === 'hidden') next.visibility = upd.visibility;
  if (upd.retention_seconds === null || typeof upd.retention_seconds === 'number') next.retention_seconds = upd.retention_seconds;
  return next;
}
