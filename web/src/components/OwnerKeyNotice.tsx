// Shown once after creating a room: the owner key, which the server will never show again.
import { useState } from 'preact/hooks';
import { roomHref } from '../router';
import type { CreatedRoom } from '../types';

export function OwnerKeyNotice({ room, ownerReady, onDone }: { room: CreatedRoom; ownerReady: boolean; onDone(): void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(room.owner_key);
      setCopied('yes');
    } catch {
      // Clipboard access needs a secure context and permission; selecting the text still works.
      document.getElementById('owner-key')?.focus();
      setCopied('no');
    }
  };
  return (
    <section class="card created" aria-labelledby="created-title">
      <h2 id="created-title">“{room.title}” is ready</h2>
      <p>
        This is the room’s <strong>owner key</strong>. It is shown <strong>only this once</strong>: keep it somewhere
        safe. With it you can manage the room from any browser.
      </p>
      <div class="key-row">
        <label for="owner-key" class="sr-only">
          Owner key
        </label>
        <input id="owner-key" class="mono" readOnly value={room.owner_key} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="btn" onClick={copy}>
          Copy key
        </button>
      </div>
      <p class="status-line" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Copy did not work here: the key is selected, copy it by hand.' : ''}
      </p>
      <p class="hint">
        {ownerReady
          ? 'This browser also keeps an owner pass for the room, so the room’s controls are yours here.'
          : 'This browser could not get an owner pass; use the key on the room’s entrance to manage it.'}
      </p>
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
