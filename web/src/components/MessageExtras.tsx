// What SPEC §7 adds to a message on screen: the quoted original of a reply, the reactions, the
// "mentions you" mark, and the Reply and React actions.
import { clockTime } from '../time';
import type { ChatMessage } from '../types';
import { mentionsMe } from '../mentions';
import { ReactionPicker, Reactions } from './Reactions';
import { ReplyQuote } from './ReplyQuote';

export interface MessageConversation {
  me: string;
  onReply(m: ChatMessage): void;
  onReact(id: string, emoji: string): boolean;
  onJump(seq: number): void;
}

export function MessageExtras({ m, conv, part }: { m: ChatMessage; conv: MessageConversation; part: 'quote' | 'reactions' }) {
  const c = m;
  if (part === 'quote') {
    const r = c.reply_to;
    return (
      <>
        {mentionsMe(m, conv.me) && <span class="sr-only">Mentions you. </span>}
        {r && typeof r.seq === 'number' && <ReplyQuote reply={r} onJump={conv.onJump} />}
      </>
    );
  }
  return <Reactions reactions={c.reactions} me={conv.me} onToggle={(emoji) => conv.onReact(m.id, emoji)} />;
}

export function MessageExtraActions({ m, conv }: { m: ChatMessage; conv: MessageConversation }) {
  const at = clockTime(m.time);
  return (
    <>
      <button type="button" class="icon-btn" onClick={() => conv.onReply(m)} aria-label={`Reply to ${m.name} from ${at}`}>
        Reply
      </button>
      <ReactionPicker label={`React to the message by ${m.name} from ${at}`} onPick={(emoji) => conv.onReact(m.id, emoji)} />
    </>
  );
}
