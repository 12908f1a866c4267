// Who is here now. The owner can kick (remove now) or ban (keep out) anyone but themselves.
import { useState } from 'preact/hooks';
import { ban, kick } from '../moderation';
import { sameName } from '../session';
import type { RoomUser } from '../types';
import { Avatar } from './Avatar';
import { Trip } from './Trip';

export function People(props: { roomId: number; users: readonly RoomUser[]; me: string; isOwner: boolean; open: boolean; onClose(): void; onRename?(): void }) {
  const [status, setStatus] = useState('');
  const act = async (what: 'kick' | 'ban', name: string) => {
    if (what === 'ban' && !confirm(`Ban “${name}” from this room? They are removed now and cannot come back under this name.`)) return;
    setStatus(`${what === 'kick' ? 'Removing' : 'Banning'} ${name}…`);
    const r = await (what === 'kick' ? kick : ban)(props.roomId, name);
    setStatus(r.ok ? `${name} was ${what === 'kick' ? 'removed' : 'banned'}.` : r.text);
  };
  return (
    <aside id="people" class={`people${props.open ? ' open' : ''}`} aria-labelledby="people-title">
      <div class="people-head">
        <h2 id="people-title">
          People here <span class="count-pill">{props.users.length}</span>
        </h2>
        <button type="button" class="icon-btn close-people" onClick={props.onClose}>
          Close
        </button>
      </div>
      <ul class="people-list" aria-label="People in this room">
        {props.users.map((u) => (
          <li key={u.username}>
            <Avatar name={u.username} color={u.color} size="sm" />
            <span class="person">
              <span class="person-name">{u.username}</span>
              <Trip trip={u.trip} />
              {sameName(u.username, props.me) && <span class="you"> (you)</span>}
              {(u.devices ?? 1) > 1 && <span class="devices"> · {u.devices} devices</span>}
            </span>
            {props.isOwner && !sameName(u.username, props.me) && (
              <span class="person-actions">
                <button type="button" class="icon-btn" onClick={() => act('kick', u.username)} aria-label={`Kick ${u.username}`}>
                  Kick
                </button>
                <button type="button" class="icon-btn danger" onClick={() => act('ban', u.username)} aria-label={`Ban ${u.username}`}>
                  Ban
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {props.onRename && (
        <p class="hint rename">
          <button type="button" class="link-btn" onClick={props.onRename}>
            Change name or colour
          </button>
        </p>
      )}
      <p class="status-line" role="status">
        {status}
      </p>
    </aside>
  );
}
