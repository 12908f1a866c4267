// The WebSocket the SDK uses: the global one where there is one (browsers, Node 22+), else the
// `ws` package (Node 20). Only the parts both share are used, so either fits.

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketFactory = new (url: string, protocols?: string | string[]) => SocketLike;

export const OPEN = 1;

let found: Promise<SocketFactory> | undefined;

export function webSocketImpl(): Promise<SocketFactory> {
  const global = (globalThis as { WebSocket?: SocketFactory }).WebSocket;
  if (global) return Promise.resolve(global);
  // A variable specifier keeps bundlers from pulling `ws` into a browser build, which never gets here.
  const name = 'ws';
  found ??= import(/* @vite-ignore */ name).then(
    (m: { WebSocket?: SocketFactory; default?: SocketFactory }) => (m.WebSocket ?? m.default)!,
    () => {
      throw new Error('No WebSocket here: on Node 20, install the `ws` package (npm install ws)');
    },
  );
  return found;
}
