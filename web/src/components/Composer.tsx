// Writing a message: Enter sends, Shift+Enter makes a new line; typing is announced (throttled
// by the session). Messages written while offline wait as pending and go out on reconnect.
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../types';
import { useMentionCompletion } from './MentionComplete';

export function Composer({
  onSend,
  onTyping,
  disabled,
  names = [],
  onEscape,
}: {
  onSend(text: string): void;
  onTyping(): void;
  disabled?: boolean;
  /** Completed after "@" (the people here). */
  names?: readonly string[];
  onEscape?(): void;
}) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const mention = useMentionCompletion(names, box, setText);
  const length = [...text].length;
  const tooLong = length > LIMITS.messageMax;
  const canSend = text.trim().length > 0 && !tooLong && !disabled;
  // Entering a room means wanting to write in it; on touch screens the keyboard would cover it.
  useEffect(() => {
    if (matchMedia('(hover: hover)').matches) box.current?.focus();
  }, []);

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
