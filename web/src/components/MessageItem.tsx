// One message: author, local time, text (always as text; links as real elements) and, where
// allowed, edit and delete. Editing happens in place.
import { useEffect, useRef, useState } from 'preact/hooks';
import { linkify } from '../linkify';
import { clockTime, fullTime } from '../time';
import { LIMITS, type ChatMessage } from '../types';
import { Avatar } from './Avatar';

export interface MessageActions {
  onEdit(id: string, msg: string): boolean;
  onDelete(id: string): boolean;
}

export function MessageItem(props: { m: ChatMessage; mine: boolean; grouped: boolean; canEdit: boolean; canDelete: boolean } & MessageActions) {
  const { m, mine, grouped } = props;
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<string>();
  return (
    <article class={`msg${mine ? ' mine' : ''}${grouped ? ' grouped' : ''}`} data-seq={m.seq}>
      {grouped ? <span class="avatar-gap" /> : <Avatar name={m.name} color={m.color} />}
      <div class="bubble">
        <header class={grouped ? 'sr-only' : 'meta'}>
          <span class="author">{m.name}</span>
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
        {editing ? (
          <EditBox
            initial={m.msg}
            onCancel={() => setEditing(false)}
            onSave={(text) => {
              if (text !== m.msg && !props.onEdit(m.id, text)) return setProblem('Not connected: the edit was not sent.');
              setProblem(undefined);
              setEditing(false);
            }}
          />
        ) : (
          <p class="text">
            {linkify(m.msg)}
            {(m.edited || m.edited_at) && <span class="edited"> (edited)</span>}
          </p>
        )}
        {problem && <p class="field-error">{problem}</p>}
      </div>
      {!editing && (props.canEdit || props.canDelete) && (
        <div class="msg-actions">
          {props.canEdit && (
            <button type="button" class="icon-btn" onClick={() => setEditing(true)} aria-label={`Edit message from ${clockTime(m.time)}`}>
              Edit
            </button>
          )}
          {props.canDelete && (
            <button
              type="button"
              class="icon-btn danger"
              aria-label={mine ? `Delete your message from ${clockTime(m.time)}` : `Delete message by ${m.name} from ${clockTime(m.time)}`}
              onClick={() => {
                if (confirm('Delete this message for everyone?') && !props.onDelete(m.id)) setProblem('Not connected: the message was not deleted.');
              }}
            >
              Delete
            </button>
          )}
        </div>
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
