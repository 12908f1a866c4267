// The owner key, which the server shows once: in a dialog in the new room for its creator (the
// dialog is announced with its explanation, and the key field takes the focus), or as a card in
// the lobby when this browser could not take the owner pass and so could not go in.
import { useEffect, useRef, useState } from 'preact/hooks';
import { roomHref } from '../router';
import type { CreatedRoom } from '../types';

const EXPLAIN = 'This is the room’s owner key. It is shown only this once: keep it somewhere safe. With it you can manage the room from any browser.';

function KeyRow({ ownerKey, autoFocus }: { ownerKey: string; autoFocus?: boolean }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(ownerKey);
      setCopied('yes');
    } catch {
      // Clipboard access needs a secure context and permission; selecting the text still works.
      input.current?.focus();
      setCopied('no');
    }
  };
  return (
    <>
      <div class="key-row">
        <label for="owner-key" class="sr-only">
          Owner key
        </label>
        <input id="owner-key" ref={input} class="mono" readOnly value={ownerKey} aria-describedby="owner-key-explain" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="btn" onClick={copy}>
          Copy key
        </button>
      </div>
      <p class="status-line" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Copy did not work here: the key is selected, copy it by hand.' : ''}
      </p>
    </>
  );
}

/** In the new room, right after creating it. */
export function OwnerKeyDialog({ title, ownerKey, onClose }: { title: string; ownerKey: string; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="owner-panel key-dialog" aria-labelledby="created-title" aria-describedby="owner-key-explain" onClose={onClose}>
      <div class="panel-section">
        <h2 id="created-title">“{title}” is ready</h2>
        <p id="owner-key-explain">{EXPLAIN}</p>
        <KeyRow ownerKey={ownerKey} autoFocus />
        <p class="hint">This browser keeps an owner pass for the room, so the room’s controls are yours here.</p>
        <div class="actions">
          <button type="button" class="btn primary" onClick={() => dialog.current?.close()}>
            Done
          </button>
        </div>
      </div>
    </dialog>
  );
}

/** In the lobby, when the owner pass could not be taken. */
export function OwnerKeyNotice({ room, onDone }: { room: CreatedRoom; onDone(): void }) {
  return (
    <section class="card created" aria-labelledby="created-title">
      <h2 id="created-title">“{room.title}” is ready</h2>
      <p id="owner-key-explain">{EXPLAIN}</p>
      <KeyRow ownerKey={room.owner_key} autoFocus />
      <p class="hint">This browser could not get an owner pass; use the key on the room’s entrance to manage it.</p>
      <div class="actions">
        {/* A hidden room is found by its title: its id alone answers 404 (SPEC §1). */}
        <a class="btn primary" href={roomHref(room.visibility === 'hidden' ? room.title : room.id)}>
          Enter the room
        </a>
        <button type="button" class="btn ghost" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
