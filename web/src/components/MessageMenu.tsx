// A message's actions. Beside the message on wider screens (shown on hover or focus); on phones
// behind one "⋯" button, so the actions do not sit beside every message.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface MessageAction {
  label: string;
  /** The accessible name, which says which message. */
  aria: string;
  danger?: boolean;
  run(): void;
}

/** `leading`: a control that stays beside the message on every screen (the reaction picker). */
export function MessageMenu({ actions, about, id, leading }: { actions: readonly MessageAction[]; about: string; id: string; leading?: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    list.current?.querySelector('button')?.focus();
    const away = (e: Event) => {
      if (!list.current?.parentElement?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  if (actions.length === 0 && !leading) return null;
  const button = (a: MessageAction, onDone?: () => void) => (
    <button
      type="button"
      class={`icon-btn${a.danger ? ' danger' : ''}`}
      aria-label={a.aria}
      key={a.label}
      onClick={() => {
        onDone?.();
        a.run();
      }}
    >
      {a.label}
    </button>
  );
  return (
    <div class="msg-actions">
      {leading}
      <span class="msg-actions-inline">{actions.map((a) => button(a))}</span>
      <span
        class="msg-menu"
        onKeyDown={(e) => {
          if (e.key === 'Escape' && open) {
            e.stopPropagation();
            setOpen(false);
            toggle.current?.focus();
          }
        }}
      >
        <button
          ref={toggle}
          type="button"
          class="icon-btn menu-toggle"
          aria-label={`Actions for ${about}`}
          aria-expanded={open}
          aria-controls={`${id}-actions`}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">⋯</span>
        </button>
        <div ref={list} id={`${id}-actions`} class="msg-menu-list" hidden={!open}>
          {actions.map((a) => button(a, () => setOpen(false)))}
        </div>
      </span>
    </div>
  );
}
