// The owner's controls in a modal dialog: edit the room (and its password), bans, deletion.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError } from '../api';
import { ban, listBans, unban } from '../moderation';
import { fullTime } from '../time';
import { navigate } from '../router';
import { tokens } from '../tokens';
import type { BanEntry, Room } from '../types';
import { hasErrors, validateRoom, type FieldErrors, type RoomDraft } from '../validation';
import { Field, focusFirstInvalid } from './Field';
import { RetentionSetting } from './Retention';
import { RoomFields } from './RoomFields';

const ROOM_FIELDS = ['title', 'description', 'visibility', 'password'] as const;

export function OwnerPanel({ room, onSaved, onClose }: { room: Room; onSaved(r: Room): void; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="owner-panel" aria-labelledby="owner-title" onClose={onClose}>
      <div class="dialog-head">
        <h2 id="owner-title">Manage “{room.title}”</h2>
        <button type="button" class="icon-btn" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <EditRoom room={room} onSaved={onSaved} />
      <RetentionSetting room={room} onSaved={onSaved} />
      <Bans roomId={room.id} />
      <DeleteRoom room={room} />
    </dialog>
  );
}

function EditRoom({ room, onSaved }: { room: Room; onSaved(r: Room): void }) {
  const [draft, setDraft] = useState<RoomDraft>({ title: room.title, description: room.description ?? '', visibility: room.visibility, password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // An existing password carries over while the room stays behind one.
  const keepsPassword = room.visibility !== 'public' && draft.visibility !== 'public';

  const submit = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    const errs = validateRoom(draft, keepsPassword);
    setErrors(errs);
    if (hasErrors(errs)) return focusFirstInvalid(form.current);
    const token = tokens.get(room.id, 'owner')?.token;
    if (!token) return setErrors({ form: 'Your owner pass expired. Enter the owner key on the room’s entrance.' });
    setBusy(true);
    const res = await api.updateRoom(
      room.id,
      {
        title: draft.title.trim(),
        description: draft.description.trim(),
        visibility: draft.visibility,
        ...(draft.password && draft.visibility !== 'public' ? { password: draft.password } : {}),
      },
      token,
    );
    setBusy(false);
    if (!res.ok) {
      const field = ROOM_FIELDS.find((f) => f === res.error.field) ?? (res.error.code === 102 ? 'title' : 'form');
      setErrors({ [field]: describeError(res.error) });
      return focusFirstInvalid(form.current);
    }
    setDraft({ ...draft, password: '' });
    setStatus(draft.password ? 'Saved. The new password is in force; members must enter it again.' : 'Saved.');
    onSaved(res.data);
  };

  return (
    <form ref={form} class="panel-section" onSubmit={submit} noValidate aria-labelledby="edit-room-title">
      <h3 id="edit-room-title">Room details and password</h3>
      <RoomFields idPrefix="edit" draft={draft} errors={errors} onChange={setDraft} keepsPassword={keepsPassword} />
      {errors.form && (
        <p class="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <p class="status-line" role="status">
        {status}
      </p>
      <button class="btn primary" type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save changes'}
      </button>
    </form>
  );
}

function Bans({ roomId }: { roomId: number }) {
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string>();
  // The room's bans as the server keeps them, with their address bans (SPEC §5).
  const [banned, setBanned] = useState<BanEntry[]>();
  const refresh = async () => {
    const r = await listBans(roomId);
    if (r.ok) setBanned(r.bans);
    else setError(r.text);
  };
  useEffect(() => void refresh(), [roomId]);
  const run = async (what: 'ban' | 'unban', who: string) => {
    if (!who.trim()) return setError('Type a name first.');
    setError(undefined);
    const r = await (what === 'ban' ? ban : unban)(roomId, who.trim());
    if (!r.ok) return setError(r.text);
    setStatus(what === 'ban' ? `${who} is banned.` : `${who} may come back.`);
    setName('');
    await refresh();
  };
  return (
    <section class="panel-section" aria-labelledby="bans-title">
      <h3 id="bans-title">Bans</h3>
      <Field
        id="ban-name"
        label="Name"
        value={name}
        onValue={setName}
        error={error}
        hint="Banning removes the person now and keeps the name, names that look like it, and for a while their address out."
        autoComplete="off"
      />
      <div class="actions">
        <button type="button" class="btn danger" onClick={() => run('ban', name)}>
          Ban name
        </button>
        <button type="button" class="btn" onClick={() => run('unban', name)}>
          Lift ban
        </button>
      </div>
      {banned && banned.length === 0 && <p class="hint">Nobody is banned.</p>}
      {banned && banned.length > 0 && (
        <ul class="ban-list" aria-label="Banned names">
          {banned.map((b) => (
            <li key={b.name}>
              <span class="ban-name">{b.name}</span>{' '}
              <span class="hint">
                since {fullTime(b.since)}
                {b.address_ban_until && `; their address until ${fullTime(b.address_ban_until)}`}
              </span>{' '}
              <button type="button" class="link-btn" onClick={() => run('unban', b.name)} aria-label={`Lift the ban on ${b.name}`}>
                Lift
              </button>
            </li>
          ))}
        </ul>
      )}
      <p class="status-line" role="status">
        {status}
      </p>
    </section>
  );
}

function DeleteRoom({ room }: { room: Room }) {
  const [error, setError] = useState<string>();
  const remove = async () => {
    if (!confirm(`Delete “${room.title}” and all its messages? This cannot be undone.`)) return;
    const token = tokens.get(room.id, 'owner')?.token;
    if (!token) return setError('Your owner pass expired. Enter the owner key on the room’s entrance.');
    const res = await api.deleteRoom(room.id, token);
    if (!res.ok) return setError(describeError(res.error));
    tokens.drop(room.id);
    navigate('#/');
  };
  return (
    <section class="panel-section danger-zone" aria-labelledby="delete-title">
      <h3 id="delete-title">Delete the room</h3>
      <p class="hint">Everyone is disconnected and every message is gone.</p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="btn danger" onClick={remove}>
        Delete room
      </button>
    </section>
  );
}
