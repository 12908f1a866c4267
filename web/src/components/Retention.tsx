// Disappearing messages: the owner's setting in the room dialog, and the note in the room header.
import { useState } from 'preact/hooks';
import { describeError } from '../api';
import { conversationApi } from '../conversation-api';
import { tokens } from '../tokens';
import type { Room } from '../types';

const UNITS: readonly [number, string][] = [
  [31_536_000, 'year'],
  [604_800, 'week'],
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** "1 hour", "30 days", "90 seconds": the largest unit that divides it evenly. */
export function duration(seconds: number): string {
  const [size, unit] = UNITS.find(([s]) => seconds % s === 0) ?? [1, 'second'];
  const n = seconds / size;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const CHOICES: readonly (number | null)[] = [null, 60, 300, 3_600, 86_400, 604_800, 2_592_000, 31_536_000];

export function RetentionNote({ room }: { room: Room }) {
  const keep = room.retention_seconds;
  if (typeof keep !== 'number' || keep <= 0) return null;
  return (
    <p class="retention-note">
      <span aria-hidden="true">⏱ </span>Messages disappear after {duration(keep)}
    </p>
  );
}

export function RetentionSetting({ room, onSaved }: { room: Room; onSaved(r: Room): void }) {
  const current = room.retention_seconds ?? null;
  const [value, setValue] = useState<number | null>(current);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const choices = CHOICES.includes(current) ? CHOICES : [...CHOICES, current];

  const save = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    const token = tokens.get(room.id, 'owner')?.token;
    if (!token) return setError('Your owner pass expired. Enter the owner key on the room’s entrance.');
    setBusy(true);
    const res = await conversationApi.setRetention(room.id, value, token);
    setBusy(false);
    if (!res.ok) return setError(describeError(res.error));
    setError(undefined);
    setStatus(value === null ? 'Saved. Messages are kept.' : `Saved. Messages disappear after ${duration(value)}.`);
    onSaved(res.data);
  };

  return (
    <form class="panel-section" onSubmit={save} aria-labelledby="retention-title">
      <h3 id="retention-title">Disappearing messages</h3>
      <div class="field">
        <label for="retention">Delete messages after</label>
        <select
          id="retention"
          value={value === null ? '' : String(value)}
          aria-describedby="retention-hint"
          onChange={(e) => setValue(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
        >
          {choices.map((c) => (
            <option key={String(c)} value={c === null ? '' : String(c)}>
              {c === null ? 'Never (keep messages)' : duration(c)}
            </option>
          ))}
        </select>
        <p id="retention-hint" class="hint">
          Older messages are removed for everyone, from history and search.
        </p>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <p class="status-line" role="status">
        {status}
      </p>
      <button class="btn primary" type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save retention'}
      </button>
    </form>
  );
}
