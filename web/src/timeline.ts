// The messages of one room as this tab knows them: ordered by seq, each seq at most once, with
// join/leave notices woven in where they happened. History pages, replays after a reconnect and
// live events all land here, in any order and any number of times; the result is the same.
import type { ChatMessage } from './types';

export type TimelineItem =
  | { kind: 'msg'; key: string; m: ChatMessage }
  | { kind: 'notice'; key: string; text: string; time: string; tone: 'join' | 'leave' | 'info' | 'warn'; who?: string };

/** A leave followed by a join of the same name within this long folds away. */
export const FOLD_REJOIN_MS = 60_000;

export class Timeline {
  private items: TimelineItem[] = [];
  private bySeq = new Map<number, ChatMessage>();
  private noticeId = 0;

  get list(): readonly TimelineItem[] {
    return this.items;
  }
  get firstSeq(): number | undefined {
    for (const it of this.items) if (it.kind === 'msg') return it.m.seq;
    return undefined;
  }
  /** Highest seq seen, including deleted messages: the `since` for a reconnect. */
  lastSeq = 0;

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  /** Adds messages; returns those that were new. */
  add(msgs: readonly ChatMessage[]): ChatMessage[] {
    const fresh: ChatMessage[] = [];
    let next = this.items;
    for (const m of msgs) {
      if (!Number.isInteger(m.seq) || this.bySeq.has(m.seq) || this.deleted.has(m.id)) {
        if (Number.isInteger(m.seq)) this.lastSeq = Math.max(this.lastSeq, m.seq);
        continue;
      }
      if (next === this.items) next = this.items.slice();
      this.bySeq.set(m.seq, m);
      fresh.push(m);
      const item: TimelineItem = { kind: 'msg', key: `m${m.seq}`, m };
      if (m.seq > this.lastSeq) {
        next.push(item);
      } else {
        // Older than something we hold (a history page, usually): before the first greater seq.
        const at = next.findIndex((it) => it.kind === 'msg' && it.m.seq > m.seq);
        next.splice(at === -1 ? next.length : at, 0, item);
      }
      this.lastSeq = Math.max(this.lastSeq, m.seq);
    }
    this.items = next;
    return fresh;
  }

  notice(text: string, tone: 'join' | 'leave' | 'info' | 'warn', time = new Date().toISOString(), who?: string): void {
    this.items = [...this.items, { kind: 'notice', key: `n${++this.noticeId}`, text, time, tone, who }];
  }

  /** `who` joins at `time`: drops their leave notice if it is recent; true when one was dropped. */
  foldRejoin(who: string, time: string): boolean {
    const key = who.normalize('NFC').toLowerCase();
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i]!;
      if (it.kind !== 'notice' || it.who?.normalize('NFC').toLowerCase() !== key) continue;
      if (it.tone !== 'leave' || !(Date.parse(time) - Date.parse(it.time) < FOLD_REJOIN_MS)) return false;
      this.items = [...this.items.slice(0, i), ...this.items.slice(i + 1)];
      return true;
    }
    return false;
  }

  /** New text; `mentions` (from the server's edit event) replaces the old ones when given. */
  edit(id: string, msg: string, mentions?: string[]): boolean {
    return this.replace(id, (m) => ({ ...m, msg, edited: true, ...(mentions && { mentions }) }));
  }

  /** Ids deleted while we were not holding them, so a later history page does not bring them back. */
  private deleted = new Set<string>();

  remove(id: string): boolean {
    this.deleted.add(id);
    const i = this.items.findIndex((it) => it.kind === 'msg' && it.m.id === id);
    if (i === -1) return false;
    const it = this.items[i] as Extract<TimelineItem, { kind: 'msg' }>;
    this.bySeq.delete(it.m.seq);
    this.items = [...this.items.slice(0, i), ...this.items.slice(i + 1)];
    return true;
  }

  find(id: string): ChatMessage | undefined {
    for (const it of this.items) if (it.kind === 'msg' && it.m.id === id) return it.m;
    return undefined;
  }

  /** Replaces one message in place (reactions, edits); false when it is not held. */
  replace(id: string, fn: (m: ChatMessage) => ChatMessage): boolean {
    const i = this.items.findIndex((it) => it.kind === 'msg' && it.m.id === id);
    if (i === -1) return false;
    const old = this.items[i] as Extract<TimelineItem, { kind: 'msg' }>;
    const m = fn(old.m);
    this.bySeq.set(m.seq, m);
    this.items = this.items.slice();
    this.items[i] = { kind: 'msg', key: old.key, m };
    return true;
  }
}
