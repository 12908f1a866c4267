// The lobby: rooms with live counts, a filter, the create form and a way into hidden rooms.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, describeError } from '../api';
import { setTitle } from '../attention';
import { CreateRoom } from '../components/CreateRoom';
import { RoomList } from '../components/RoomList';
import { usePoll } from '../hooks';
import { navigate, roomHref } from '../router';
import type { Room } from '../types';

const POLL_MS = 4_000;

export function Lobby() {
  const [rooms, setRooms] = useState<Room[]>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');
  // Pages of the room list shown; each poll reloads them all, so counts stay live everywhere.
  const [pages, setPages] = useState(1);
  const [more, setMore] = useState(false);

  const refresh = useCallback(async () => {
    const all: Room[] = [];
    let path: string | undefined = '/chats';
    for (let i = 0; path && i < pages; i++) {
      const res = await api.listRooms(path);
      if (!res.ok) return setError(describeError(res.error));
      all.push(...res.data.rooms);
      path = res.data.next;
    }
    // A room whose activity moved it up between two page loads would show twice.
    setRooms(all.filter((r, i) => all.findIndex((o) => o.id === r.id) === i));
    setMore(path !== undefined);
    setError(undefined);
  }, [pages]);
  usePoll(refresh, POLL_MS);
  useEffect(() => {
    if (pages > 1) void refresh();
  }, [refresh, pages]);
  useEffect(() => setTitle(undefined), []);

  return (
    <main id="main" class="lobby">
      <section class="card rooms-panel" aria-labelledby="rooms-title">
        <div class="panel-head">
          <h1 id="rooms-title">Rooms</h1>
          <span class="live-note" aria-hidden="true">
            <span class="dot pulse" /> live
          </span>
        </div>
        <div class="field">
          <label for="room-filter">Filter rooms by title</label>
          <input id="room-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="Type to filter…" autoComplete="off" />
        </div>
        {error && (
          <p class="banner warn" role="status">
            {error} Retrying…
          </p>
        )}
        {rooms ? <RoomList rooms={rooms} filter={filter} /> : !error && <p class="empty">Loading rooms…</p>}
        {more && (
          <button class="btn" type="button" onClick={() => setPages((p) => p + 1)}>
            Show more rooms
          </button>
        )}
      </section>
      <div class="side">
        <CreateRoom onCreated={refresh} />
        <HiddenRoomForm />
      </div>
    </main>
  );
}

function HiddenRoomForm() {
  const [value, setValue] = useState('');
  return (
    <form
      class="card"
      aria-labelledby="hidden-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) navigate(roomHref(value.trim()));
      }}
    >
      <h2 id="hidden-title">Join a hidden room</h2>
      <div class="field">
        <label for="hidden-room">Exact room title or number</label>
        <div class="inline">
          <input id="hidden-room" value={value} onInput={(e) => setValue(e.currentTarget.value)} autoComplete="off" required />
          <button class="btn" type="submit">
            Go
          </button>
        </div>
      </div>
    </form>
  );
}
