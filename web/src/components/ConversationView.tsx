// What SPEC §7 adds to the message list: the "New" divider, the gaps a jump leaves (with a button
// to fill them), "Seen by" under the newest message, bringing a message into view (highlighted for a
// moment), and telling the session which messages the reader has seen.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { ConversationState, Gap } from '../conversation';
import { sameName } from '../session';
import type { TimelineItem } from '../timeline';
import type { MessageConversation } from './MessageExtras';

export interface ListConversation extends MessageConversation {
  state: ConversationState;
  onSeen(seq: number): void;
  onLoadGap(g: Gap): void;
}

const HIGHLIGHT_MS = 2_500;

/** The seq the "New" divider goes above, if any message at or after the first unread is here. */
export function newDividerSeq(items: readonly TimelineItem[], newFrom: number | undefined): number | undefined {
  if (newFrom === undefined) return undefined;
  for (const it of items) if (it.kind === 'msg' && it.m.seq >= newFrom) return it.m.seq;
  return undefined;
}

export function NewDivider() {
  return (
    <div class="day new-divider" role="separator" aria-label="New messages">
      <span aria-hidden="true">New</span>
    </div>
  );
}

export function GapButton({ gap, loading, onLoad }: { gap: Gap; loading: boolean; onLoad(g: Gap): void }) {
  return (
    <div class="gap">
      <button type="button" class="btn small ghost" disabled={loading} onClick={() => onLoad(gap)}>
        {loading ? 'Loading messages…' : 'Load more messages'}
      </button>
    </div>
  );
}

/** "Seen by alice, bob": the others whose read position reaches the newest message. */
export function SeenBy({ seq, reads, me }: { seq: number; reads: Readonly<Record<string, number>>; me: string }) {
  const names = Object.entries(reads)
    .filter(([name, at]) => at >= seq && !sameName(name, me))
    .map(([name]) => name)
    .sort((a, b) => a.localeCompare(b));
  if (names.length === 0) return null;
  return <p class="seen-by">Seen by {names.join(', ')}</p>;
}

/**
 * Scrolls to the requested message once it is rendered; highlights it when asked. `moved` is told
 * right after: the list's "stuck to the bottom" must not wait for the scroll event, or items
 * arriving before it would pull the list back down, away from the message.
 */
export function useFocusMessage(
  log: RefObject<HTMLElement | null>,
  focus: ConversationState['focus'],
  items: readonly TimelineItem[],
  moved: () => void,
): void {
  const done = useRef(0);
  useLayoutEffect(() => {
    const root = log.current;
    if (!root || !focus || done.current === focus.n) return;
    const el = root.querySelector<HTMLElement>(`article[data-seq="${focus.seq}"]`);
    if (!el) return; // not rendered yet: tried again when the items change
    done.current = focus.n;
    if (!focus.highlight) {
      (root.querySelector<HTMLElement>('.new-divider') ?? el).scrollIntoView({ block: 'start' });
      moved();
      return;
    }
    el.scrollIntoView({ block: 'center' });
    moved();
    el.classList.add('flash');
    el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
    setTimeout(() => el.classList.remove('flash'), HIGHLIGHT_MS);
  }, [focus, items]);
}

/** Reports the newest message that is at least half on screen while the page is visible. */
export function useSeen(log: RefObject<HTMLElement | null>, items: readonly TimelineItem[], onSeen: ((seq: number) => void) | undefined): void {
  const observer = useRef<IntersectionObserver>(undefined);
  const report = useRef(onSeen);
  report.current = onSeen;
  useEffect(() => {
    const root = log.current;
    if (!root || typeof IntersectionObserver === 'undefined') return;
    const visible = new Set<number>();
    const tell = () => {
      if (document.visibilityState !== 'visible' || visible.size === 0) return;
      report.current?.(Math.max(...visible));
    };
    observer.current = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const seq = Number((e.target as HTMLElement).dataset.seq);
          if (!Number.isInteger(seq)) continue;
          const enough = e.isIntersecting && (e.intersectionRatio >= 0.5 || e.intersectionRect.height >= 48);
          if (enough) visible.add(seq);
          else visible.delete(seq);
        }
        tell();
      },
      { root, threshold: [0, 0.5, 1] },
    );
    document.addEventListener('visibilitychange', tell);
    return () => {
      observer.current?.disconnect();
      document.removeEventListener('visibilitychange', tell);
    };
  }, []);
  useEffect(() => {
    log.current?.querySelectorAll('article[data-seq]').forEach((el) => observer.current?.observe(el));
  }, [items]);
}
