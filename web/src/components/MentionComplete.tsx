// "@na" in the composer offers the names of the people here; arrows choose, Enter or Tab complete,
// Escape closes. The textarea keeps the focus (aria-activedescendant points at the choice).
import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';

/** The `@word` being typed right before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; text: string } | undefined {
  const m = /(?:^|[\s([{"'])@([^\s@]{0,32})$/u.exec(text.slice(0, caret));
  return m ? { start: caret - m[1]!.length - 1, text: m[1]! } : undefined;
}

export function useMentionCompletion(names: readonly string[], box: RefObject<HTMLTextAreaElement | null>, setText: (t: string) => void) {
  const [query, setQuery] = useState<{ start: number; text: string }>();
  const [active, setActive] = useState(0);
  const q = query?.text.toLocaleLowerCase();
  const matches = q === undefined ? [] : names.filter((n) => n.toLocaleLowerCase().startsWith(q) && n.toLocaleLowerCase() !== q).slice(0, 6);
  const open = matches.length > 0;
  const at = Math.min(active, matches.length - 1);

  const update = () => {
    const el = box.current;
    setQuery(el ? mentionQuery(el.value, el.selectionStart ?? el.value.length) : undefined);
    setActive(0);
  };
  const choose = (name: string) => {
    const el = box.current;
    if (!el || !query) return;
    const caret = el.selectionStart ?? el.value.length;
    const inserted = `@${name} `;
    const next = el.value.slice(0, query.start) + inserted + el.value.slice(caret);
    el.value = next;
    setText(next);
    const pos = query.start + inserted.length;
    el.setSelectionRange(pos, pos);
    setQuery(undefined);
  };
  /** True when the key was the completion's. */
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open || e.isComposing) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') setActive((at + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
    else if (e.key === 'Enter' || e.key === 'Tab') choose(matches[at]!);
    else if (e.key === 'Escape') setQuery(undefined);
    else return false;
    e.preventDefault();
    return true;
  };

  const list = open ? (
    <ul id="mention-list" class="mention-list" role="listbox" aria-label="People to mention">
      {matches.map((n, i) => (
        <li
          key={n}
          id={`mention-option-${i}`}
          role="option"
          aria-selected={i === at}
          class={i === at ? 'active' : undefined}
          onMouseDown={(e) => {
            e.preventDefault(); // keeps the focus in the textarea
            choose(n);
          }}
        >
          @{n}
        </li>
      ))}
    </ul>
  ) : null;
  const aria = {
    'aria-autocomplete': 'list' as const,
    'aria-controls': open ? 'mention-list' : undefined,
    'aria-activedescendant': open ? `mention-option-${at}` : undefined,
  };
  return { update, onKeyDown, list, aria };
}
