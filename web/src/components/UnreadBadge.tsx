// The lobby's unread count for a room: its `last_seq` minus what this browser has read there.
import { unreadCount } from '../reads';
import type { Room } from '../types';

export function UnreadBadge({ room }: { room: Room }) {
  const n = unreadCount(room.id, room.last_seq);
  if (n <= 0) return null;
  return <span class="unread-badge">{n === 1 ? '1 unread' : `${n > 999 ? '999+' : n} unread`}</span>;
}
