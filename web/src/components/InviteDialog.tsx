// "Invite": the room's link to copy. For a password room the link can carry the password (in the
// fragment, which never reaches a server), with a plain warning about what that means.
import { useEffect, useRef, useState } from 'preact/hooks';
import { inviteLink, knownPasswords } from '../invite';
import type { Room } from '../types';
import { Field } from './Field';

export function InviteDialog({ room, onClose }: { room: Room; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [withPassword, setWithPassword] = useState(false);
  const [password, setPassword] = useState(() => knownPasswords.get(room.id) ?? '');
  const [status, setStatus] = useState('');
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const needsPassword = room.visibility !== 'public';
  const link = inviteLink(room.id, needsPassword && withPassword ? password : undefined);
  const copy = async () => {
    if (needsPassword && withPassword && !password) return setStatus('Type the room’s password first, or leave it out of the link.');
    try {
      await navigator.clipboard.writeText(link);
      setStatus('Invite link copied.');
    } catch {
      const field = document.getElementById('invite-link') as HTMLInputElement | null;
      field?.focus();
      field?.select();
      setStatus('Copy did not work here: the link is selected, copy it by hand.');
    }
  };
  return (
    <dialog ref={dialog} class="owner-panel invite-dialog" aria-labelledby="invite-title" onClose={onClose}>
      <div class="dialog-head">
        <h2 id="invite-title">Invite people to “{room.title}”</h2>
        <button type="button" class="icon-btn" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <div class="panel-section">
        <label for="invite-link">Invite link</label>
        <div class="key-row">
          <input id="invite-link" class="mono" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="btn primary" onClick={copy}>
            Copy invite link
          </button>
        </div>
        <p class="status-line" role="status">
          {status}
        </p>
        {needsPassword && (
          <>
            <label class="check">
              <input type="checkbox" checked={withPassword} onChange={(e) => setWithPassword(e.currentTarget.checked)} />
              Include the password in the link
            </label>
            {withPassword ? (
              <>
                <p class="banner warn" id="invite-warning">
                  Anyone who gets this link can enter the room without asking you. The password sits after the “#”, so it is
                  never sent to the server, but it is in plain sight for whoever sees the link.
                </p>
                <Field id="invite-password" type="password" label="Room password" value={password} onValue={setPassword} autoComplete="off" />
              </>
            ) : (
              <p class="hint">Without it, people need the password from you to get in.</p>
            )}
          </>
        )}
      </div>
    </dialog>
  );
}
