// The create-room form: the server's rules checked first, the server's own errors shown beside
// the field they name, then the owner key shown once and an owner token kept in this browser.
import { useRef, useState } from 'preact/hooks';
import { api, describeError } from '../api';
import { knownPasswords } from '../invite';
import { memberships, ownerKeys } from '../memberships';
import { navigate, roomHref } from '../router';
import { loadProfile, saveProfile } from '../storage';
import { tokens } from '../tokens';
import type { CreatedRoom } from '../types';
import { hasErrors, validateName, validateRoom, type FieldErrors, type RoomDraft } from '../validation';
import { Field, focusFirstInvalid } from './Field';
import { OwnerKeyNotice } from './OwnerKeyNotice';
import { RoomFields } from './RoomFields';

const EMPTY: RoomDraft = { title: '', description: '', visibility: 'public', password: '' };
const ROOM_FIELDS = ['title', 'description', 'visibility', 'password'] as const;

export function CreateRoom({ onCreated }: { onCreated(): void }) {
  const [draft, setDraft] = useState(EMPTY);
  const [name, setName] = useState(() => loadProfile().name);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedRoom>();
  const form = useRef<HTMLFormElement>(null);

  if (created) return <OwnerKeyNotice room={created} onDone={() => setCreated(undefined)} />;

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: FieldErrors = { ...validateRoom(draft), name: validateName(name) };
    setErrors(errs);
    if (hasErrors(errs)) return focusFirstInvalid(form.current);
    setBusy(true);
    const body = {
      title: draft.title.trim(),
      description: draft.description.trim(),
      visibility: draft.visibility,
      ...(draft.visibility === 'public' ? {} : { password: draft.password }),
    };
    const res = await api.createRoom(body);
    if (!res.ok) {
      setBusy(false);
      const field = ROOM_FIELDS.find((f) => f === res.error.field) ?? (res.error.code === 102 ? 'title' : 'form');
      setErrors({ [field]: describeError(res.error) });
      return focusFirstInvalid(form.current);
    }
    const profile = { ...loadProfile(), name: name.trim() };
    saveProfile(profile);
    const grant = await api.claimOwnership(res.data.id, profile.name, res.data.owner_key);
    setBusy(false);
    setDraft(EMPTY);
    setErrors({});
    onCreated();
    if (grant.ok && grant.data.token) {
      // The creator goes straight in, as owner; the room shows the key there, once.
      tokens.put(grant.data);
      memberships.set(res.data.id, profile.name);
      if (body.password) knownPasswords.remember(res.data.id, body.password);
      ownerKeys.hold(res.data.id, res.data.owner_key);
      // A hidden room is found by its title: its id alone answers 404 (SPEC §1).
      navigate(roomHref(res.data.visibility === 'hidden' ? res.data.title : res.data.id));
    } else setCreated(res.data);
  };

  return (
    <form ref={form} class="card" aria-labelledby="create-heading" onSubmit={submit} noValidate>
      <h2 id="create-heading">Create a room</h2>
      <RoomFields idPrefix="create" draft={draft} errors={errors} onChange={setDraft} />
      <Field
        id="create-name"
        label="Your name"
        value={name}
        onValue={setName}
        error={errors.name}
        hint="You become the room’s owner under this name."
        autoComplete="nickname"
      />
      {errors.form && (
        <p class="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button class="btn primary wide" type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create room'}
      </button>
    </form>
  );
}
