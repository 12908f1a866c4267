// Invite links: the room's address, and for password rooms optionally the password too. The
// password rides in the fragment (after #), which browsers never send to a server, and the app
// takes it out of the address bar as soon as it has read it.
import { roomHref } from './router';

export function inviteLink(room: number, password?: string): string {
  const base = `${location.origin}${location.pathname}${roomHref(room)}`;
  return password ? `${base}?password=${encodeURIComponent(password)}` : base;
}

/** Passwords typed in this tab (at the door, or when creating the room), offered when inviting.
 * In memory only: a password is never written to the browser's storage. */
const known = new Map<number, string>();
export const knownPasswords = {
  remember(room: number, password: string): void {
    if (password) known.set(room, password);
  },
  get(room: number): string | undefined {
    return known.get(room);
  },
};
