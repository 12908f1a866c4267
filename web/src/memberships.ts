// Rooms this browser has entered, and under which name: going back into one is one click (from the
// lobby, after "Leave" or "← Rooms", after a reload), with no name form. The door comes back when
// the room needs a password the browser no longer holds, when the server sent the person away, or
// when they choose "Change name".
import { load, save } from './storage';

const KEY = 'rooms';
/** Beyond this many rooms the oldest entries go: the list is a convenience, not a record. */
const MAX_ROOMS = 200;

type Store = Record<string, { name: string; at: number }>;

export const memberships = {
  name(room: number): string | undefined {
    const m = load<Store>(KEY, {})[String(room)];
    return typeof m?.name === 'string' && m.name ? m.name : undefined;
  },
  set(room: number, name: string): void {
    const store = load<Store>(KEY, {});
    store[String(room)] = { name, at: Date.now() };
    const keys = Object.keys(store);
    if (keys.length > MAX_ROOMS) {
      keys.sort((a, b) => (store[a]?.at ?? 0) - (store[b]?.at ?? 0));
      for (const k of keys.slice(0, keys.length - MAX_ROOMS)) delete store[k];
    }
    save(KEY, store);
  },
  forget(room: number): void {
    const store = load<Store>(KEY, {});
    delete store[String(room)];
    save(KEY, store);
  },
};

/** The owner key of a room created in this tab, held in memory until it is shown, never stored. */
const freshKeys = new Map<number, string>();
export const ownerKeys = {
  hold(room: number, key: string): void {
    freshKeys.set(room, key);
  },
  take(room: number): string | undefined {
    const key = freshKeys.get(room);
    freshKeys.delete(room);
    return key;
  },
};
