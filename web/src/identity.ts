// Who this browser is in each room (SPEC §12): the name secret the server gave when the name was
// first taken, kept per room and name. Another tab finds it here and joins as the same person;
// another device gets it through a link whose fragment (never sent to a server) carries it.
import { roomHref } from './router';
import { load, loadProfile, save, saveProfile } from './storage';

type Secrets = Record<string, string>;
const STORE_KEY = 'name-secrets';
/** Close to the server's rule (NFKC, ignoring case); the server's confusable check is stricter. */
const nameKey = (name: string) => name.normalize('NFKC').trim().toLowerCase();
const key = (room: number, name: string) => `${room}:${nameKey(name)}`;

export const nameSecrets = {
  get(room: number, name: string): string | undefined {
    const s = load<Secrets>(STORE_KEY, {})[key(room, name)];
    return typeof s === 'string' ? s : undefined;
  },
  put(room: number, name: string, secret: string): void {
    const all = load<Secrets>(STORE_KEY, {});
    all[key(room, name)] = secret;
    save(STORE_KEY, all);
  },
  drop(room: number, name: string): void {
    const all = load<Secrets>(STORE_KEY, {});
    delete all[key(room, name)];
    save(STORE_KEY, all);
  },
};

/** The link that brings this person into the room on another device. */
export function deviceLink(room: number, name: string, secret: string): string {
  const params = new URLSearchParams({ name, secret });
  return `${location.origin}${location.pathname}${roomHref(room)}?${params}`;
}

/**
 * Takes a device link's name and secret out of the address: they are remembered for the room
 * (the name becomes this browser's name) and the address is left as the plain room link, so the
 * secret is neither shown, nor bookmarked, nor shared on.
 */
export function takeDeviceLink(): void {
  const m = /^(#\/room\/[^?]+)\?(.*)$/.exec(location.hash);
  if (!m) return;
  const params = new URLSearchParams(m[2]);
  const name = params.get('name');
  const secret = params.get('secret');
  // Not a device link (an invite's `?password=` is the router's): leave the address alone.
  if (!name || !secret) return;
  const room = Number(decodeURIComponent(m[1]!.slice('#/room/'.length)));
  if (Number.isSafeInteger(room)) {
    nameSecrets.put(room, name, secret);
    saveProfile({ ...loadProfile(), name });
  }
  history.replaceState(history.state, '', `${location.pathname}${location.search}${m[1]}`);
}
