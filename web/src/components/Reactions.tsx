// Reactions under a message: one chip per emoji with its count, pressed when it holds ours; who
// reacted is in the tooltip and in the accessible name. The picker offers a few common emoji.
import { useEffect, useRef, useState } from 'preact/hooks';
import { sameName } from '../session';

export const COMMON_EMOJI: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '🎉', name: 'party' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
  { emoji: '🙏', name: 'thanks' },
  { emoji: '👀', name: 'eyes' },
];

function people(names: readonly string[], me: string): string {
  const shown = names.map((n) => (sameName(n, me) ? 'you' : n));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export function Reactions({ reactions, me, onToggle }: { reactions: Record<string, string[]> | undefined; me: string; onToggle(emoji: string): void }) {
  const list = Object.entries(reactions ?? {}).filter(([, names]) => Array.isArray(names) && names.length > 0);
  if (list.length === 0) return null;
  return (
    <ul class="reactions" aria-label="Reactions">
      {list.map(([emoji, names]) => {
        const mine = names.some((n) => sameName(n, me));
        const who = people(names, me);
        return (
          <li key={emoji}>
            <button
              type="button"
              class={`reaction${mine ? ' mine' : ''}`}
              aria-pressed={mine}
              title={`${who} reacted with ${emoji}`}
              aria-label={`${emoji} ${names.length}: ${who}`}
              onClick={() => onToggle(emoji)}
            >
              <span aria-hidden="true">{emoji}</span> <span class="reaction-count">{names.length}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** The "React" action and its small picker. Escape or a choice closes it and gives the focus back. */
export function ReactionPicker({ label, onPick }: { label: string; onPick(emoji: string): void }) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector('button')?.focus();
    const away = (e: PointerEvent) => {
      if (!panel.current?.contains(e.target as Node) && e.target !== toggle.current) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  return (
    <span class="react-action">
      <button ref={toggle} type="button" class="icon-btn" aria-label={label} aria-expanded={open} onClick={() => setOpen(!open)}>
        React
      </button>
      {open && (
        <div
          ref={panel}
          class="react-picker"
          role="group"
          aria-label="Choose a reaction"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              const buttons = [...(panel.current?.querySelectorAll('button') ?? [])];
              const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
              buttons[(i + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
            }
          }}
        >
          {COMMON_EMOJI.map((c) => (
            <button
              key={c.emoji}
              type="button"
              class="emoji-btn"
              aria-label={`React with ${c.name} ${c.emoji}`}
              title={c.name}
              onClick={() => {
                onPick(c.emoji);
                close();
              }}
            >
              {c.emoji}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
