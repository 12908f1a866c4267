// Routing by URL hash: `#/` is the lobby, `#/room/<id or title>` a room.
import { useEffect, useState } from 'preact/hooks';

export type Route = { name: 'lobby' } | { name: 'room'; room: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/room\/(.+)$/.exec(hash);
  if (m) {
    try {
      return { name: 'room', room: decodeURIComponent(m[1]!) };
    } catch {
      return { name: 'room', room: m[1]! };
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
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
