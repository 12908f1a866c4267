// Title, description, visibility and password: the fields of a room, for creating and editing.
import type { FieldErrors, RoomDraft } from '../validation';
import { LIMITS, type Visibility } from '../types';
import { describedBy, Field, FieldMessages } from './Field';

const VISIBILITY_HELP: Record<Visibility, string> = {
  public: 'Listed in the lobby; anyone can read and talk.',
  private: 'Listed in the lobby; a password lets people in.',
  hidden: 'Not listed; people need its exact title or number and the password.',
};

export function RoomFields(props: {
  idPrefix: string;
  draft: RoomDraft;
  errors: FieldErrors;
  onChange(d: RoomDraft): void;
  /** Editing a room that has a password: an empty field keeps it. */
  keepsPassword?: boolean;
}) {
  const { idPrefix: p, draft: d, errors: e, onChange } = props;
  const set = (patch: Partial<RoomDraft>) => onChange({ ...d, ...patch });
  const needsPassword = d.visibility !== 'public';
  return (
    <>
      <Field
        id={`${p}-title`}
        label="Room title"
        value={d.title}
        onValue={(title) => set({ title })}
        error={e.title}
        maxLength={LIMITS.titleMax + 10}
        required
        autoComplete="off"
      />
      <Field
        id={`${p}-description`}
        label="Description (optional)"
        value={d.description}
        onValue={(description) => set({ description })}
        error={e.description}
        hint={`Up to ${LIMITS.descriptionMax} characters.`}
        autoComplete="off"
      />
      <div class={`field${e.visibility ? ' invalid' : ''}`}>
        <label for={`${p}-visibility`}>Visibility</label>
        <select
          id={`${p}-visibility`}
          value={d.visibility}
          onChange={(ev) => set({ visibility: ev.currentTarget.value as Visibility })}
          aria-invalid={e.visibility ? 'true' : undefined}
          aria-describedby={describedBy(`${p}-visibility`, e.visibility, VISIBILITY_HELP[d.visibility])}
        >
          <option value="public">Public</option>
          <option value="private">Private</option>
          <option value="hidden">Hidden</option>
        </select>
        <FieldMessages id={`${p}-visibility`} error={e.visibility} hint={VISIBILITY_HELP[d.visibility]} />
      </div>
      {(needsPassword || d.password || e.password) && (
        <Field
          id={`${p}-password`}
          type="password"
          label={props.keepsPassword ? 'New password (optional)' : 'Room password'}
          value={d.password}
          onValue={(password) => set({ password })}
          error={e.password}
          hint={
            props.keepsPassword
              ? 'Leave empty to keep the current one. A new password signs every member out.'
              : `${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters. Share it with the people you invite.`
          }
          autoComplete="new-password"
        />
      )}
    </>
  );
}
