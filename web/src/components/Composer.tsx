// Writing a message: Enter sends, Shift+Enter makes a new line, ↑ in an empty box edits one's
// last message; typing is announced (throttled by the session); the draft is kept per room.
// Messages written while offline wait as pending and go out on reconnect.
import { useEffect, useRef, useState } from 'preact/hooks';
import { drafts } from '../drafts';
import { LIMITS } from '../types';
import { useMentionCompletion } from './MentionComplete';

export function Composer(props: {
  room: number;
  onSend(text: string): void;
  onTyping(): void;
  onEditLast?(): boolean;
  disabled?: boolean;
  /** Completed after "@" (the people here). */
  names?: readonly string[];
  onEscape?(): void;
}) {
  const { onSend, onTyping, disabled, names = [], onEscape } = props;
  const [text, setText] = useState(() => drafts.get(props.room));
  const box = useRef<HTMLTextAreaElement>(null);
  const mention = useMentionCompletion(names, box, setText);
  const length = [...text].length;
  const tooLong = length > LIMITS.messageMax;
  const canSend = text.trim().length > 0 && !tooLong && !disabled;
  // Entering a room means wanting to write in it; on touch screens the keyboard would cover it.
  useEffect(() => {
    if (matchMedia('(hover: hover)').matches) box.current?.focus();
    grow();
  }, []);
  useEffect(() => drafts.set(props.room, text), [text]);

  const grow = () => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  };
  const send = () => {
    if (!canSend) return;
    onSend(text);
    setText('');
    requestAnimationFrame(grow);
    box.current?.focus();
  };

  return (
    <form
      class="composer"
      aria-label="Send a message"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="composer-input" class="sr-only">
        Message
      </label>
      {mention.list}
      <textarea
        id="composer-input"
        ref={box}
        rows={1}
        value={text}
        placeholder="Write a message…"
        aria-describedby="composer-help"
        aria-invalid={tooLong ? 'true' : undefined}
        {...mention.aria}
        onClick={mention.update}
        onInput={(e) => {
          setText(e.currentTarget.value);
          mention.update();
          grow();
          if (e.currentTarget.value.trim()) onTyping();
        }}
        onKeyDown={(e) => {
          if (mention.onKeyDown(e)) return;
          if (e.key === 'Escape') onEscape?.();
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          } else if (e.key === 'ArrowUp' && !text && !e.isComposing && props.onEditLast?.()) {
            e.preventDefault();
          }
        }}
      />
      <button class="btn primary send" type="submit" disabled={!canSend}>
        Send
      </button>
      <p id="composer-help" class={`composer-help${tooLong ? ' field-error' : ''}`}>
        {tooLong
          ? `Too long: ${length} of ${LIMITS.messageMax} characters.`
          : length > LIMITS.messageMax - 500
            ? `${LIMITS.messageMax - length} characters left.`
            : 'Enter to send, Shift+Enter for a new line.'}
      </p>
    </form>
  );
}
