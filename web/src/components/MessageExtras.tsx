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

/** The React action: a picker, which sits beside a message's other actions (Reply is one of those). */
export function ReactAction({ m, conv }: { m: ChatMessage; conv: MessageConversation }) {
  return <ReactionPicker label={`React to the message by ${m.name} from ${clockTime(m.time)}`} onPick={(emoji) => conv.onReact(m.id, emoji)} />;
}
