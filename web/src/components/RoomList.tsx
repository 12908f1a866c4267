// The lobby's list of rooms with their live participant counts.
import { roomHref } from '../router';
import { UnreadBadge } from './UnreadBadge';
import type { Room } from '../types';

export function RoomList({ rooms, filter }: { rooms: readonly Room[]; filter: string }) {
  const q = filter.trim().toLocaleLowerCase();
  const shown = q ? rooms.filter((r) => r.title.toLocaleLowerCase().includes(q)) : rooms;
  if (rooms.length === 0) return <p class="empty">No rooms yet. Create the first one.</p>;
  if (shown.length === 0) return <p class="empty">No room title contains “{filter.trim()}”.</p>;
  return (
    <ul class="rooms" aria-label="Rooms">
      {shown.map((r) => (
        <li key={r.id}>
          <a class="room-card" href={roomHref(r.id)}>
            <span class="room-title">
              {r.visibility !== 'public' && <LockIcon />}
              {r.title}
            </span>
            {r.description && <span class="room-desc">{r.description}</span>}
            <span class="room-meta">
              <span class={`badge badge-${r.visibility}`}>{r.visibility === 'public' ? 'Public' : 'Private'}</span>
              <span class={`count${r.participants > 0 ? ' active' : ''}`}>
                <span class="dot" aria-hidden="true" />
                {r.participants === 1 ? '1 person here' : `${r.participants ?? 0} people here`}
              </span>
              <UnreadBadge room={r} />
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}

export function LockIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path
        fill="currentColor"
        d="M8 1a3.5 3.5 0 0 0-3.5 3.5V6H4a1.5 1.5 0 0 0-1.5 1.5v6A1.5 1.5 0 0 0 4 15h8a1.5 1.5 0 0 0 1.5-1.5v-6A1.5 1.5 0 0 0 12 6h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 5V4.5a2 2 0 1 1 4 0V6H6Z"
      />
    </svg>
  );
}
