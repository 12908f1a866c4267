// A room's door: name and colour (remembered), the password for private rooms, and an
// optional owner key to take the room's controls in this browser.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError } from '../api';
import { setTitle } from '../attention';
import { chosenColor, colorFor } from '../colors';
import { ColorPicker } from '../components/ColorPicker';
import { Field, focusFirstInvalid } from '../components/Field';
import { LockIcon } from '../components/RoomList';
import { storedRole, type Entry } from '../entry';
import { knownPasswords } from '../invite';
import { memberships } from '../memberships';
import { loadProfile, saveProfile } from '../storage';
import { tokens } from '../tokens';
import type { Room } from '../types';
import { hasErrors, validateName, type FieldErrors } from '../validation';

/**
 * `invitePassword`: from an invite link; `password`: what was typed here before, kept when the
 * person comes back to the door because their name was taken (`nameError`).
 */
export function Entrance(props: {
  room: Room;
  notice?: string;
  nameError?: string;
  invitePassword?: string;
  password?: string;
  onEnter(e: Entry, password: string): void;
}) {
  const { room, notice, onEnter } = props;
  const [profile, setProfile] = useState(loadProfile);
  const [password, setPassword] = useState(props.password || props.invitePassword || '');
  // An invite link that carries the password: only a name is asked, unless the password fails.
  const [passwordInLink, setPasswordInLink] = useState(!!props.invitePassword);
  const [ownerKey, setOwnerKey] = useState('');
  const [showOwner, setShowOwner] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>(props.nameError ? { name: props.nameError } : {});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => setTitle(room.title), [room.title]);
  // Back at the door because the name was taken: the name field says so and has the focus.
  useEffect(() => {
    if (props.nameError) focusFirstInvalid(form.current);
  }, []);

  const name = profile.name.trim();
  const role = storedRole(room, name);
  const needsPassword = role === 'needs-password' && !ownerKey;
  const owner = tokens.get(room.id, 'owner');

  const fail = (errs: FieldErrors) => {
    setBusy(false);
    setErrors(errs);
    focusFirstInvalid(form.current);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: FieldErrors = { name: validateName(profile.name) };
    if (needsPassword && !password) errs.secret = 'Enter the room’s password.';
    if (hasErrors(errs)) return fail(errs);
    setBusy(true);
    saveProfile({ name, color: profile.color });
    let chosen = role;
    if (ownerKey.trim()) {
      const res = await api.claimOwnership(room.id, name, ownerKey.trim());
      if (!res.ok) {
        return fail(
          res.error.code === 104 || res.status === 401 || res.status === 403
            ? { owner_key: 'This owner key does not open this room.' }
            : { form: describeError(res.error) },
        );
      }
      tokens.put(res.data);
      chosen = 'owner';
    } else if (role === 'needs-password') {
      const res = await api.joinWithPassword(room.id, name, password);
      if (!res.ok) {
        const { code, field } = res.error;
        if (code === 204 || code === 202 || field === 'name') return fail({ name: describeError(res.error) });
        if (code === 104 || res.status === 401 || field === 'secret') {
          setPasswordInLink(false);
          return fail({ secret: passwordInLink ? 'The password in the invite link no longer works. Ask for the new one.' : 'Wrong password. Try again.' });
        }
        return fail({ form: describeError(res.error) });
      }
      if (!res.data.token) return fail({ form: 'The server gave no pass for this room.' });
      tokens.put(res.data);
      knownPasswords.remember(room.id, password);
      chosen = 'member';
    }
    setBusy(false);
    memberships.set(room.id, name);
    onEnter({ name, color: chosenColor(profile), role: chosen === 'needs-password' ? undefined : chosen }, password);
  };

  return (
    <main id="main" class="entrance">
      <form ref={form} class="card door" aria-labelledby="door-title" onSubmit={submit} noValidate>
        <p class="eyebrow">
          {room.visibility === 'public' ? 'Public room' : room.visibility === 'private' ? 'Private room' : 'Hidden room'}
          {' · '}
          {room.participants === 1 ? '1 person here' : `${room.participants ?? 0} people here`}
        </p>
        <h1 id="door-title">
          {room.visibility !== 'public' && <LockIcon />} {room.title}
        </h1>
        {room.description && <p class="lead">{room.description}</p>}
        {notice && (
          <p class="banner warn" role="alert">
            {notice}
          </p>
        )}
        <Field
          id="entry-name"
          label="Your name"
          value={profile.name}
          onValue={(n) => setProfile({ ...profile, name: n })}
          error={errors.name}
          hint={owner && owner.name !== name ? `You own this room as “${owner.name}”; use that name for the owner controls.` : undefined}
          autoComplete="nickname"
          required
        />
        <ColorPicker id="entry-color" value={profile.color} auto={colorFor(name)} onValue={(color) => setProfile({ ...profile, color })} />
        {needsPassword && passwordInLink && <p class="hint">Your invite link includes this room’s password: choose a name and enter.</p>}
        {needsPassword && !passwordInLink && (
          <Field id="entry-password" type="password" label="Room password" value={password} onValue={setPassword} error={errors.secret} autoComplete="current-password" required />
        )}
        <details class="owner-key" open={showOwner || !!errors.owner_key} onToggle={(e) => setShowOwner(e.currentTarget.open)}>
          <summary>I own this room</summary>
          <Field
            id="entry-owner-key"
            type="password"
            label="Owner key"
            value={ownerKey}
            onValue={setOwnerKey}
            error={errors.owner_key}
            hint="The key shown when the room was created. It gives this browser the room’s controls."
            autoComplete="off"
          />
        </details>
        {errors.form && (
          <p class="field-error" role="alert">
            {errors.form}
          </p>
        )}
        <div class="actions">
          <button class="btn primary" type="submit" disabled={busy}>
            {busy ? 'Entering…' : 'Enter room'}
          </button>
          <a class="btn ghost" href="#/">
            Back to rooms
          </a>
        </div>
      </form>
    </main>
  );
}
