// The server's room rules (SPEC §1), checked in the browser first so mistakes show up at once.
// The server checks again; its answer wins and is shown next to the same field.
import { LIMITS, type Visibility } from './types';

export type FieldErrors = Partial<Record<'title' | 'description' | 'visibility' | 'password' | 'name' | 'secret' | 'owner_key' | 'form', string>>;

/** Length in characters as a person counts them (code points), not UTF-16 units. */
export const length = (s: string) => [...s].length;

export interface RoomDraft {
  title: string;
  description: string;
  visibility: Visibility;
  password: string;
}

/**
 * @param passwordOptional true when editing a room that already has a password and keeps
 *   a password visibility: leaving the field empty keeps the current password.
 */
export function validateRoom(d: RoomDraft, passwordOptional = false): FieldErrors {
  const e: FieldErrors = {};
  const title = d.title.trim();
  if (length(title) < LIMITS.titleMin || length(title) > LIMITS.titleMax)
    e.title = `The title needs ${LIMITS.titleMin} to ${LIMITS.titleMax} characters.`;
  else if (/^\d+$/.test(title)) e.title = 'The title cannot be only digits (it would look like a room number).';
  if (length(d.description.trim()) > LIMITS.descriptionMax)
    e.description = `The description can have at most ${LIMITS.descriptionMax} characters.`;
  if (!['public', 'private', 'hidden'].includes(d.visibility)) e.visibility = 'Choose public, private or hidden.';
  if (d.visibility === 'public') {
    if (d.password) e.password = 'Public rooms have no password. Clear it, or make the room private.';
  } else if (!d.password && !passwordOptional) {
    e.password = `Private and hidden rooms need a password (${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters).`;
  } else if (d.password && (length(d.password) < LIMITS.passwordMin || length(d.password) > LIMITS.passwordMax)) {
    e.password = `The password needs ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters.`;
  }
  return e;
}

export function validateName(name: string): string | undefined {
  const n = name.trim();
  if (!n) return 'Choose a name so others know who is talking.';
  if (length(n) > LIMITS.nameMax) return `A name can have at most ${LIMITS.nameMax} characters.`;
  return undefined;
}

export const hasErrors = (e: FieldErrors) => Object.values(e).some(Boolean);
