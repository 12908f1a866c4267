// Search in the room header: every term must occur in a message (server side, SPEC §7); results
// come newest first with the matched words marked, and a click jumps to the message in context.
import { useRef, useState } from 'preact/hooks';
import { describeError } from '../api';
import { conversationApi } from '../conversation-api';
import { clockTime, fullTime } from '../time';
import type { ChatMessage } from '../types';

const PAGE = 20;
const MIN = 3;
const MAX = 200;

/** The text split into plain and marked parts: each term, ignoring case, wherever it occurs. */
export function markTerms(text: string, terms: readonly string[]) {
  const words = terms.filter(Boolean).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return text;
  // Longest first, so "room" does not cut "rooms" short when both are searched.
  words.sort((a, b) => b.length - a.length);
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'giu'));
  return parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part));
}

export function SearchPanel({ roomId, token, onOpen }: { roomId: number; token(): string | undefined; onOpen(seq: number): void }) {
  const [q, setQ] = useState('');
  const [shown, setShown] = useState<{ q: string; messages: ChatMessage[]; hasMore: boolean }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const run = async (more: boolean) => {
    const query = more && shown ? shown.q : q.trim();
    const length = [...query].length;
    if (length < MIN || length > MAX) {
      setShown(undefined);
      return setError(`Search needs ${MIN} to ${MAX} characters.`);
    }
    setBusy(true);
    const before = more ? shown?.messages[shown.messages.length - 1]?.seq : undefined;
    const res = await conversationApi.search(roomId, query, { limit: PAGE, ...(before !== undefined && { before }) }, token());
    setBusy(false);
    if (!res.ok) return setError(describeError(res.error));
    setError(undefined);
    const found = res.data.messages ?? [];
    setShown({ q: query, messages: more && shown ? [...shown.messages, ...found] : found, hasMore: !!res.data.has_more });
  };
  const close = () => {
    setShown(undefined);
    setError(undefined);
    input.current?.focus();
  };
  const terms = shown ? shown.q.split(/\s+/u) : [];

  return (
    <div class="room-search" onKeyDown={(e) => e.key === 'Escape' && (shown || error) && close()}>
      <form
        role="search"
        aria-label="Search this room"
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <label for="room-search-input" class="sr-only">
          Search messages
        </label>
        <input id="room-search-input" ref={input} type="search" value={q} placeholder="Search messages" autoComplete="off" maxLength={MAX} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit" class="btn small" disabled={busy}>
          Search
        </button>
      </form>
      {(shown || error) && (
        <section class="search-results" aria-label="Search results">
          <div class="search-head">
            <p role="status">
              {error ??
                (shown!.messages.length === 0
                  ? `Nothing found for “${shown!.q}”.`
                  : `${shown!.messages.length}${shown!.hasMore ? '+' : ''} ${shown!.messages.length === 1 ? 'message' : 'messages'} with “${shown!.q}”`)}
            </p>
            <button type="button" class="icon-btn" onClick={close}>
              Close
            </button>
          </div>
          {shown && shown.messages.length > 0 && (
            <ul class="search-list">
              {shown.messages.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    class="search-hit"
                    onClick={() => {
                      setShown(undefined);
                      onOpen(m.seq);
                    }}
                  >
                    <span class="search-meta">
                      <strong>{m.name}</strong>{' '}
                      <time dateTime={m.time} title={fullTime(m.time)}>
                        {clockTime(m.time)}
                      </time>
                    </span>
                    <span class="search-text">{markTerms(m.msg, terms)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {shown?.hasMore && (
            <button type="button" class="btn small ghost" disabled={busy} onClick={() => void run(true)}>
              More results
            </button>
          )}
        </section>
      )}
    </div>
  );
}
