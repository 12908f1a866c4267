// One message: author, local time, text (formatted from Markdown-like text, never as HTML; links
// as real elements) and, where allowed, edit and delete. Editing happens in place.
import { useEffect, useRef, useState } from 'preact/hooks';
import { onEditRequest } from '../editRequests';
import { focusComposer } from '../focus';
import { richText } from '../richtext';
import { clockTime, fullTime } from '../time';
import { LIMITS, type ChatMessage } from '../types';
import { Avatar } from './Avatar';
import { mentionsMe } from '../mentions';
import { MessageExtras, ReactAction, type MessageConversation } from './MessageExtras';
import { MessageMenu, type MessageAction } from './MessageMenu';
import { Trip } from './Trip';

export interface MessageActions {
  onEdit(id: string, msg: string): boolean;
  onDelete(id: string): boolean;
}

export function MessageItem(
  props: { m: ChatMessage; mine: boolean; grouped: boolean; canEdit: boolean; canDelete: boolean; conv?: MessageConversation } & MessageActions,
) {
  const { m, mine, grouped, conv } = props;
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<string>();
  const root = useRef<HTMLElement>(null);
  // Where the keyboard goes when the edit ends: back where it was started from.
  const returnTo = useRef<'composer' | 'actions' | undefined>(undefined);
  const startEdit = (from: 'composer' | 'actions') => {
    returnTo.current = from;
    setEditing(true);
  };
  const endEdit = () => setEditing(false);
  useEffect(() => (props.canEdit ? onEditRequest(m.id, () => startEdit('composer')) : undefined), [m.id, props.canEdit]);
  useEffect(() => {
    const to = returnTo.current;
    if (editing || !to) return;
    returnTo.current = undefined;
    // The Edit button it was started from (inline, or in the phone's menu), wherever it sits among the actions.
    const visible = [...(root.current?.querySelectorAll<HTMLElement>('.msg-actions button[aria-label^="Edit message"]') ?? [])].find(
      (b) => b.offsetParent !== null,
    );
    if (to === 'actions' && visible) visible.focus();
    else focusComposer();
  }, [editing]);
  const when = clockTime(m.time);
  const actions: MessageAction[] = [];
  if (conv) actions.push({ label: 'Reply', aria: `Reply to ${m.name} from ${when}`, run: () => conv.onReply(m) });
  if (props.canEdit) actions.push({ label: 'Edit', aria: `Edit message from ${when}`, run: () => startEdit('actions') });
  if (props.canDelete)
    actions.push({
      label: 'Delete',
      danger: true,
      aria: mine ? `Delete your message from ${when}` : `Delete message by ${m.name} from ${when}`,
      run: () => {
        if (confirm('Delete this message for everyone?') && !props.onDelete(m.id)) setProblem('Not connected: the message was not deleted.');
      },
    });
  return (
    <article ref={root} class={`msg${mine ? ' mine' : ''}${grouped ? ' grouped' : ''}${conv && mentionsMe(m, conv.me) ? ' mentions-me' : ''}`} data-seq={m.seq}>
      {grouped ? <span class="avatar-gap" /> : <Avatar name={m.name} color={m.color} />}
      <div class="bubble">
        <header class={grouped ? 'sr-only' : 'meta'}>
          <span class="author">{m.name}</span>
          <Trip trip={m.trip} />
          {m.bot && (
            <span class="bot-badge" title="Posted by a bot or an integration">
              bot
            </span>
          )}
          {mine && <span class="sr-only"> (you)</span>}
          <time dateTime={m.time} title={fullTime(m.time)}>
            {clockTime(m.time)}
          </time>
        </header>
        {conv && <MessageExtras m={m} conv={conv} part="quote" />}
        {editing ? (
          <EditBox
            initial={m.msg}
            onCancel={endEdit}
            onSave={(text) => {
              if (text !== m.msg && !props.onEdit(m.id, text)) return setProblem('Not connected: the edit was not sent.');
              setProblem(undefined);
              endEdit();
            }}
          />
        ) : (
          <div class="text">
            {richText(m.msg)}
            {(m.edited || m.edited_at) && <span class="edited"> (edited)</span>}
          </div>
        )}
        {conv && <MessageExtras m={m} conv={conv} part="reactions" />}
        {problem && <p class="field-error">{problem}</p>}
      </div>
      {!editing && (
        <MessageMenu
          actions={actions}
          id={`msg-${m.seq}`}
          about={mine ? `your message from ${when}` : `the message by ${m.name} from ${when}`}
          leading={conv && <ReactAction m={m} conv={conv} />}
        />
      )}
    </article>
  );
}

function EditBox({ initial, onSave, onCancel }: { initial: string; onSave(t: string): void; onCancel(): void }) {
  const [text, setText] = useState(initial);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    box.current?.focus();
    box.current?.setSelectionRange(initial.length, initial.length);
  }, []);
  const valid = text.trim().length > 0 && [...text].length <= LIMITS.messageMax;
  return (
    <form
      class="edit-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSave(text);
      }}
    >
      <label class="sr-only" for="edit-message">
        Edit message
      </label>
      <textarea
        id="edit-message"
        ref={box}
        value={text}
        rows={Math.min(6, text.split('\n').length + 1)}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            if (valid) onSave(text);
          }
        }}
      />
      <div class="edit-actions">
        <button class="btn small primary" type="submit" disabled={!valid}>
          Save
        </button>
        <button class="btn small ghost" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
