// The quoted excerpt above a reply; activating it jumps to the original (loading it if needed).
import type { ReplyRef } from '../types';

export function ReplyQuote({ reply, onJump }: { reply: ReplyRef; onJump(seq: number): void }) {
  return (
    <button type="button" class="reply-quote" onClick={() => onJump(reply.seq)} title="Show the original message">
      <span class="reply-author">
        <span class="sr-only">In reply to </span>
        {reply.name}
      </span>
      <span class="reply-excerpt">{reply.excerpt}</span>
    </button>
  );
}

/** Above the composer while writing a reply. */
export function ReplyBar({ reply, onCancel }: { reply: ReplyRef; onCancel(): void }) {
  return (
    <div class="reply-bar" role="status">
      <span class="reply-bar-text">
        Replying to <strong>{reply.name}</strong>: <span class="reply-excerpt">{reply.excerpt}</span>
      </span>
      <button type="button" class="icon-btn" onClick={onCancel} aria-label={`Cancel the reply to ${reply.name}`}>
        Cancel
      </button>
    </div>
  );
}

/** What a reply shows of its original, as the server builds it: the first 120 characters. */
export function replyRef(m: { id: string; seq: number; name: string; msg: string }): ReplyRef {
  return { id: m.id, seq: m.seq, name: m.name, excerpt: [...m.msg].slice(0, 120).join('') };
}
