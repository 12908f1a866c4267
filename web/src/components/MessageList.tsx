// The conversation: a scrolling role=log region. It sticks to the bottom while the reader is
// there, keeps their place when older pages load above, and offers a jump to new messages.
import { Fragment } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { sameName, type Pending } from '../session';
import { dayLabel, sameDay } from '../time';
import type { TimelineItem } from '../timeline';
import { richText } from '../richtext';
import { MessageItem, type MessageActions } from './MessageItem';
import { Avatar } from './Avatar';
import { GapButton, NewDivider, newDividerSeq, SeenBy, useFocusMessage, useSeen, type ListConversation } from './ConversationView';

const GROUP_WITHIN_MS = 5 * 60_000;
const NEAR_BOTTOM_PX = 80;
const LOAD_OLDER_WITHIN_PX = 150;

export interface MessageListProps extends MessageActions {
  items: readonly TimelineItem[];
  pending: readonly Pending[];
  me: string;
  /** This person's trip code: messages with it are theirs to edit, from any device. */
  trip?: string | undefined;
  color: string;
  /** Joined and live: pending sends are on their way rather than waiting for the connection. */
  connected: boolean;
  isOwner: boolean;
  hasMore: boolean;
  loadingOlder: boolean;
  historyError?: string;
  onLoadOlder(): void;
  onRetry(client_id: string): void;
  onDiscard(client_id: string): void;
  /** Replies, reactions, read positions and jumps (SPEC §7). */
  conv?: ListConversation;
}

export function MessageList(p: MessageListProps) {
  const log = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const before = useRef({ first: '', last: '', height: 0, pending: 0, count: 0 });
  // "New messages" counts messages; joins, leaves and other notices are not news enough.
  const messages = p.items.reduce((n, it) => n + (it.kind === 'msg' ? 1 : 0), 0);
  const [unseen, setUnseen] = useState(0);

  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const prev = before.current;
    const first = p.items[0]?.key ?? '';
    const last = p.items[p.items.length - 1]?.key ?? '';
    const prepended = prev.first !== '' && first !== prev.first && p.items.some((it) => it.key === prev.first);
    if (prepended) el.scrollTop += el.scrollHeight - prev.height;
    else if (atBottom.current || p.pending.length > prev.pending) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    } else if (messages > prev.count && last !== prev.last) setUnseen((n) => n + messages - prev.count);
    before.current = { first, last, height: el.scrollHeight, pending: p.pending.length, count: messages };
  }, [p.items, p.pending]);
  /** Whether the reader is at the bottom, from where the list is scrolled now. */
  const measure = () => {
    const el = log.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
  };
  useFocusMessage(log, p.conv?.state.focus, p.items, measure);
  useSeen(log, p.items, p.conv?.onSeen);
  const dividerAt = newDividerSeq(p.items, p.conv?.state.newFrom);
  let newest: number | undefined;
  for (const it of p.items) if (it.kind === 'msg') newest = it.m.seq;

  const onScroll = () => {
    const el = log.current;
    if (!el) return;
    measure();
    if (atBottom.current && unseen) setUnseen(0);
    if (el.scrollTop < LOAD_OLDER_WITHIN_PX && p.hasMore && !p.loadingOlder) p.onLoadOlder();
  };

  const toBottom = () => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  };

  return (
    <div class="log-wrap">
      {(p.hasMore || p.loadingOlder || p.historyError) && (
        <div class="older">
          {p.historyError ? (
            <span class="field-error">{p.historyError}</span>
          ) : (
            <button type="button" class="btn small ghost" onClick={p.onLoadOlder} disabled={p.loadingOlder}>
              {p.loadingOlder ? 'Loading earlier messages…' : 'Load earlier messages'}
            </button>
          )}
        </div>
      )}
      <div
        ref={log}
        class="log"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label="Messages"
        aria-busy={p.loadingOlder ? 'true' : undefined}
        tabIndex={0}
        onScroll={onScroll}
      >
        {p.items.length === 0 && p.pending.length === 0 && <p class="empty">No messages yet. Say hello!</p>}
        {p.items.map((it, i) => {
          const prev = p.items[i - 1];
          const newDay = !prev || !sameDay(prev.kind === 'msg' ? prev.m.time : prev.time, it.kind === 'msg' ? it.m.time : it.time);
          const day = newDay && (
            <div class="day">
              <span>{dayLabel(it.kind === 'msg' ? it.m.time : it.time)}</span>
            </div>
          );
          if (it.kind === 'notice')
            return (
              <Fragment key={it.key}>
                {day}
                <p class={`notice ${it.tone}`}>{it.text}</p>
              </Fragment>
            );
          const m = it.m;
          // Authorship is the person (trip), not the name: someone who took the name later is another.
          const own = !!m.trip && m.trip === p.trip;
          const mine = own || (!m.trip && sameName(m.name, p.me));
          const grouped =
            !newDay &&
            prev?.kind === 'msg' &&
            prev.m.name === m.name &&
            prev.m.trip === m.trip && // another person under a free name is not grouped with the last
            prev.m.color === m.color && // a new colour shows with a new avatar
            Date.parse(m.time) - Date.parse(prev.m.time) < GROUP_WITHIN_MS;
          const gap = p.conv?.state.gaps.find((g) => g.after === m.seq);
          return (
            <Fragment key={it.key}>
              {day}
              {m.seq === dividerAt && <NewDivider />}
              <MessageItem
                m={m}
                mine={mine}
                grouped={grouped && m.seq !== dividerAt}
                canEdit={own}
                canDelete={own || p.isOwner}
                onEdit={p.onEdit}
                onDelete={p.onDelete}
                conv={p.conv}
              />
              {gap && p.conv && <GapButton gap={gap} loading={p.conv.state.loadingGap} onLoad={p.conv.onLoadGap} />}
              {m.seq === newest && p.conv && <SeenBy seq={m.seq} reads={p.conv.state.reads} me={p.me} />}
            </Fragment>
          );
        })}
        {p.pending.map((q) => (
          <article class={`msg mine pending${q.state === 'failed' ? ' failed' : ''}`} key={q.client_id}>
            <Avatar name={p.me} color={q.color} />
            <div class="bubble">
              <header class="meta">
                <span class="author">{p.me}</span>
                <span class="sending">{q.state === 'failed' ? 'Not sent' : p.connected ? 'Sending…' : 'Waiting for the connection…'}</span>
              </header>
              <div class="text">{richText(q.msg)}</div>
              {q.state === 'failed' && (
                <p class="field-error">
                  {q.error}{' '}
                  <button type="button" class="link-btn" onClick={() => p.onRetry(q.client_id)}>
                    Retry
                  </button>{' '}
                  <button type="button" class="link-btn" onClick={() => p.onDiscard(q.client_id)}>
                    Discard
                  </button>
                </p>
              )}
            </div>
          </article>
        ))}
      </div>
      {unseen > 0 && (
        <button type="button" class="btn jump" onClick={toBottom}>
          {unseen === 1 ? '1 new message' : `${unseen} new messages`} ↓
        </button>
      )}
    </div>
  );
}
