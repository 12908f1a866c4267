// Which pass a person enters a room with. Tokens are bound to a name, so a stored token only
// counts when its name is the one the person chose.
import { tokens } from './tokens';
import type { Role, Room } from './types';

export interface Entry {
  name: string;
  color: string;
  /** The token the socket presents; undefined in a public room without owner rights. */
  role: Role | undefined;
}

export function storedRole(room: Room, name: string): Role | undefined | 'needs-password' {
  const owner = tokens.get(room.id, 'owner');
  if (owner && owner.name === name) return 'owner';
  if (room.visibility === 'public') return undefined;
  const member = tokens.get(room.id, 'member');
  if (member && member.name === name) return 'member';
  return 'needs-password';
}
