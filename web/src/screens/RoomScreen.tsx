// Finds the room named in the URL (by number or exact title) and shows its entrance or its chat.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError } from '../api';
import { storedRole, type Entry } from '../entry';
import { nameSecrets } from '../identity';
import { roomHref } from '../router';
import { chosenColor } from '../colors';
import { memberships } from '../memberships';
import { loadProfile } from '../storage';
import type { Room } from '../types';
import { Chat } from './Chat';
import { Entrance } from './Entrance';

type Load = { status: 'loading' } | { status: 'missing' } | { status: 'error'; text: string } | { status: 'ready'; room: Room };

/**
 * A room this browser has entered is one click (or a reload) away, unless it needs a password
 * again; so is a room whose name secret this browser holds (a device link): the same person.
 */
function resume(room: Room): Entry | undefined {
  const p = loadProfile();
  const name = memberships.name(room.id) ?? (p.name && nameSecrets.get(room.id, p.name) ? p.name : undefined);
  if (!name) return undefined;
  const role = storedRole(room, name);
  return role === 'needs-password' ? undefined : { name, color: chosenColor({ ...p, name }), role };
}

/** `password`: from an invite link; used at the door, never kept in the address or in storage. */
export function RoomScreen({ room: wanted, password }: { room: string; password?: string }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [entry, setEntry] = useState<Entry>();
  const [notice, setNotice] = useState<string>();
  /** Why the name was refused (taken by someone else), shown at the name field. */
  const [nameError, setNameError] = useState<string>();
  // The password typed at the door, kept (in memory only) for when the name was taken and the
  // person comes back to pick another.
  const typedPassword = useRef('');
  const [visit, setVisit] = useState(0);

  useEffect(() => {
    let live = true;
    if (visit === 0) {
      setLoad({ status: 'loading' });
      setEntry(undefined);
      setNotice(undefined);
    }
    void (async () => {
      const res = await api.getRoom(wanted);
      if (!live) return;
      if (res.ok) {
        // Titles change and ids do not: keep the id in the address, so a reload finds the room.
        // A hidden room keeps its title instead: its id alone answers 404 (SPEC §1).
        // This also takes an invite's password out of the address bar (and the history).
        const href = roomHref(res.data.visibility === 'hidden' ? res.data.title : res.data.id);
        if (location.hash !== href) history.replaceState(history.state, '', href);
        setLoad({ status: 'ready', room: res.data });
        if (visit === 0) setEntry(resume(res.data));
      } else if (res.status === 404) setLoad({ status: 'missing' });
      else setLoad({ status: 'error', text: describeError(res.error) });
    })();
    return () => {
      live = false;
    };
  }, [wanted, visit]);

  if (load.status === 'loading') return <main id="main" class="center"><p class="empty">Opening the room…</p></main>;
  if (load.status !== 'ready')
    return (
      <main id="main" class="center">
        <section class="card door">
          <h1>{load.status === 'missing' ? 'No such room' : 'Could not open the room'}</h1>
          <p class="lead">
            {load.status === 'missing' ? 'Check the title or number: hidden rooms need the exact title.' : load.text}
          </p>
          <a class="btn primary" href="#/">
            Back to rooms
          </a>
        </section>
      </main>
    );
  if (!entry)
    return (
      <Entrance
        room={load.room}
        notice={notice}
        nameError={nameError}
        invitePassword={password}
        password={typedPassword.current}
        onEnter={(e, typed) => {
          typedPassword.current = typed;
          setNameError(undefined);
          setEntry(e);
        }}
      />
    );
  return (
    <Chat
      key={`${load.room.id}:${entry.name}:${entry.role ?? ''}`}
      room={load.room}
      entry={entry}
      onExit={(text, reason) => {
        memberships.forget(load.room.id);
        const nameTaken = reason === 'duplicate' || reason === 'name';
        // Announced (the banner is an alert) and marked at the name field, which gets the focus.
        setNotice(text);
        setNameError(nameTaken ? text : undefined);
        setEntry(undefined);
        // Back at the door: the room may have changed (a new password, another visibility).
        setVisit((v) => v + 1);
      }}
    />
  );
}
