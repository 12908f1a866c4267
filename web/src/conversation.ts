// The §7 side of a chat session: reactions, read positions (ours and others'), jumps to a message
// that is not loaded (with the gaps that leaves in the timeline) and disappearing messages.
// ChatSession owns the socket and the timeline and hands both in through `ConversationHost`.
import { api, describeError } from './api';
import { conversationApi } from './conversation-api';
import type { ChatMessage, ClientEvent, Room, RoomUser, ServerEvent } from './types';
import { readPositions } from './reads';
import type { Timeline, TimelineItem } from './timeline';

/** Messages known to lie between two loaded ones that are not loaded yet (after a jump). */
export interface Gap {
  after: number;
  before: number;
}

export interface ConversationState {
  /** Read positions of the people in the room, by name (presence `read_seq` and `read` events). */
  reads: Readonly<Record<string, number>>;
  gaps: readonly Gap[];
  loadingGap: boolean;
  /** The first unread seq when the room was opened: the "New" divider goes above it. */
  newFrom?: number;
  /** A message to bring into view; `n` grows with every request, so the same one can be asked again. */
  focus?: { seq: number; n: number; highlight: boolean };
}

export interface ConversationHost {
  readonly timeline: Timeline;
  readonly roomId: number;
  token(): string | undefined;
  room(): Room;
  /** Sends on the socket when joined; false when it could not. */
  send(ev: ClientEvent): boolean;
  /** The timeline or the conversation state changed; `hasMore` when the top of the timeline moved. */
  changed(patch: { conv?: ConversationState; hasMore?: boolean; notice?: string }): void;
}

const AROUND = 50;
const GAP_PAGE = 100;
/** Read positions are sent at most this often while someone scrolls through a backlog. */
const READ_EVERY_MS = 500;

export class Conversation {
  state: ConversationState;
  private sentRead = 0;
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private focusCount = 0;

  constructor(private readonly host: ConversationHost) {
    const read = readPositions.get(host.roomId);
    // A first visit has nothing unread: everything is new, and no divider says so.
    if (read === undefined) readPositions.advance(host.roomId, 0);
    this.state = { reads: {}, gaps: [], loadingGap: false, newFrom: read === undefined ? undefined : read + 1 };
  }

  /** Handles a §7 event; false for events that are not (only) ours. */
  handle(ev: { event_type: string } & Record<string, unknown>): boolean {
    if (ev.event_type === 'presence' && Array.isArray(ev.users)) {
      const reads: Record<string, number> = {};
      for (const u of ev.users as RoomUser[]) {
        const name: unknown = u?.username;
        const seq: unknown = u?.read_seq;
        if (typeof name === 'string' && typeof seq === 'number' && Number.isInteger(seq)) reads[name] = seq;
      }
      this.setReads(reads);
    }
    const e = ev as Extract<ServerEvent, { event_type: 'reaction' | 'read' | 'expired' }>;
    switch (e.event_type) {
      case 'reaction':
        if (typeof e.id === 'string' && typeof e.emoji === 'string' && typeof e.name === 'string') this.applyReaction(e.id, e.emoji, e.name, !!e.on);
        return true;
      case 'read':
        if (typeof e.name === 'string' && Number.isInteger(e.seq)) this.setReads({ [e.name]: e.seq });
        return true;
      case 'expired':
        if (Number.isInteger(e.through_seq)) this.removeWhere((m) => m.seq <= e.through_seq);
        return true;
      default:
        return false;
    }
  }

  /** The socket joined (again): the server hears our read position afresh. */
  joined(): void {
    this.sentRead = 0;
    this.flushRead();
  }

  /** A message came into view while the page was visible. */
  seen(seq: number): void {
    if (!readPositions.advance(this.host.roomId, seq)) return;
    this.readTimer ??= setTimeout(() => {
      this.readTimer = undefined;
      this.flushRead();
    }, READ_EVERY_MS);
  }

  react(id: string, emoji: string): boolean {
    return this.host.send({ event_type: 'react', id, emoji });
  }

  /** After the first page loaded: open at the first unread message, fetching around it if needed. */
  async opened(): Promise<void> {
    const from = this.state.newFrom;
    const first = this.host.timeline.firstSeq;
    if (from === undefined || first === undefined) return;
    // Nothing unread: what arrives while the room is open is not "new" to someone watching it.
    if (from > this.host.timeline.lastSeq) return this.set({ newFrom: undefined });
    if (from < first) return this.jumpTo(from, false);
    this.focus(this.firstAtOrAfter(from) ?? from, false);
  }

  /** Brings a message into view, loading the page around it when it is not loaded. */
  async jumpTo(seq: number, highlight = true): Promise<void> {
    const t = this.host.timeline;
    if (!t.has(seq)) {
      const res = await conversationApi.around(this.host.roomId, seq, AROUND, this.host.token());
      if (!res.ok) return this.host.changed({ notice: `Could not load that message: ${describeError(res.error)}` });
      const page = (res.data.messages ?? []).filter((m) => Number.isInteger(m.seq));
      if (!page.some((m) => m.seq === seq)) return this.host.changed({ notice: 'That message is no longer there.' });
      const topMoved = page[0]!.seq < (t.firstSeq ?? Infinity);
      this.addPage(page, !!res.data.has_more_before, !!res.data.has_more_after);
      if (topMoved) this.host.changed({ hasMore: !!res.data.has_more_before });
    }
    this.focus(seq, highlight);
  }

  /** Loads the next page of messages in a gap left by a jump. */
  async loadGap(gap: Gap): Promise<void> {
    if (this.state.loadingGap) return;
    this.set({ loadingGap: true });
    const res = await api.messages(this.host.roomId, { after: gap.after, limit: GAP_PAGE }, this.host.token());
    if (!res.ok) {
      this.set({ loadingGap: false });
      return this.host.changed({ notice: `Could not load more messages: ${describeError(res.error)}` });
    }
    const page = res.data.messages ?? [];
    this.host.timeline.add(page);
    const last = page.length ? page[page.length - 1]!.seq : gap.before;
    const gaps = this.state.gaps.filter((g) => g !== gap);
    if (last < gap.before - 1 && res.data.has_more) gaps.push({ after: last, before: gap.before });
    this.set({ gaps, loadingGap: false });
  }

  /** Removes messages past the room's retention by their own time, between `expired` events. */
  tick(now = Date.now()): void {
    const keep = this.host.room().retention_seconds;
    if (typeof keep !== 'number' || keep <= 0) return;
    this.removeWhere((m) => Date.parse(m.time) + keep * 1000 <= now);
  }

  stop(): void {
    clearTimeout(this.readTimer);
    this.flushRead();
  }

  // ---- internals -------------------------------------------------------------------------------

  private flushRead(): void {
    const read = readPositions.get(this.host.roomId) ?? 0;
    // Only seqs the room has: the server refuses a read beyond its last message.
    const seq = Math.min(read, this.host.timeline.lastSeq);
    if (seq > this.sentRead && this.host.send({ event_type: 'read', seq })) this.sentRead = seq;
  }

  private addPage(page: ChatMessage[], moreBefore: boolean, moreAfter: boolean): void {
    const t = this.host.timeline;
    const lo = page[0]!.seq;
    const hi = page[page.length - 1]!.seq;
    const loaded = t.list.flatMap((it) => (it.kind === 'msg' ? [it.m.seq] : []));
    t.add(page);
    const below = loaded.filter((s) => s < lo).pop();
    const above = loaded.find((s) => s > hi);
    // The page splits the gap it fell into; elsewhere it may open a new one.
    const gaps = this.state.gaps.filter((g) => g.before <= lo || g.after >= hi);
    if (moreBefore && below !== undefined && !gaps.some((g) => g.after === below)) gaps.push({ after: below, before: lo });
    if (moreAfter && above !== undefined) gaps.push({ after: hi, before: above });
    this.set({ gaps: gaps.filter((g) => g.before - g.after > 1).sort((a, b) => a.after - b.after) });
  }

  private focus(seq: number, highlight: boolean): void {
    this.set({ focus: { seq, n: ++this.focusCount, highlight } });
  }

  private firstAtOrAfter(seq: number): number | undefined {
    for (const it of this.host.timeline.list) if (it.kind === 'msg' && it.m.seq >= seq) return it.m.seq;
    return undefined;
  }

  private applyReaction(id: string, emoji: string, name: string, on: boolean): void {
    const changed = this.host.timeline.replace(id, (m) => ({ ...m, reactions: toggled(m.reactions, emoji, name, on) }));
    if (changed) this.host.changed({});
  }

  private removeWhere(doomed: (m: ChatMessage) => boolean): void {
    const ids = this.host.timeline.list.flatMap((it: TimelineItem) => (it.kind === 'msg' && doomed(it.m) ? [it.m.id] : []));
    for (const id of ids) this.host.timeline.remove(id);
    if (ids.length) this.host.changed({});
  }

  private setReads(patch: Record<string, number>): void {
    const reads = { ...this.state.reads };
    let changed = false;
    for (const [name, seq] of Object.entries(patch)) {
      if ((reads[name] ?? 0) < seq) {
        reads[name] = seq;
        changed = true;
      }
    }
    if (changed) this.set({ reads });
  }

  private set(patch: Partial<ConversationState>): void {
    this.state = { ...this.state, ...patch };
    this.host.changed({ conv: this.state });
  }
}

/** Reactions after `name` turned `emoji` on or off; an emoji nobody uses any more disappears. */
export function toggled(reactions: Record<string, string[]> | undefined, emoji: string, name: string, on: boolean): Record<string, string[]> {
  const next: Record<string, string[]> = { ...(reactions ?? {}) };
  const names = (next[emoji] ?? []).filter((n) => n !== name);
  if (on) names.push(name);
  if (names.length) next[emoji] = names;
  else delete next[emoji];
  return next;
}
