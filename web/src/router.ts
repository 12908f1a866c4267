// Routing by URL hash: `#/` is the lobby, `#/room/<id or title>` a room, and
// `#/room/<id>?password=<pw>` an invite link that carries the room's password (invite.ts).
import { useEffect, useState } from 'preact/hooks';

export type Route = { name: 'lobby' } | { name: 'room'; room: string; password?: string };

/** Splits `<room>?password=<pw>` (the part of a room route after `#/room/`). */
export function splitInvite(raw: string): { room: string; password?: string } {
  const q = raw.indexOf('?');
  if (q === -1) return { room: raw };
  const password = new URLSearchParams(raw.slice(q + 1)).get('password') ?? undefined;
  return { room: raw.slice(0, q), password: password || undefined };
}

export function parseRoute(hash: string): Route {
  const m = /^#\/room\/(.+)$/.exec(hash);
  if (m) {
    // A `?` in a title is encoded (roomHref), so a bare one starts the invite's parameters.
    const { room, password } = splitInvite(m[1]!);
    try {
      return { name: 'room', room: decodeURIComponent(room), password };
    } catch {
      return { name: 'room', room, password };
    }
  }
  return { name: 'lobby' };
}

export const roomHref = (room: number | string) => `#/room/${encodeURIComponent(String(room))}`;

export function navigate(href: string): void {
  if (location.hash !== href) location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute((was) => {
      const now = parseRoute(location.hash);
      return JSON.stringify(now) === JSON.stringify(was) ? was : now;
    });
    window.addEventListener('hashchange', on);
    // Effects run after the first paint: an address that changed in between (a link followed
    // while the page was still starting) fired its hashchange before anyone listened.
    on();
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
