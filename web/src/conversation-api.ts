// REST calls of SPEC §7: a page around a message, search, and the room's retention.
import { call, roomPath } from './api';
import type { AroundPage, Room, SearchPage } from './types';

export const conversationApi = {
  around: (room: number, seq: number, limit: number, token?: string) =>
    call<AroundPage>('GET', `${roomPath(room)}/messages?around=${seq}&limit=${limit}`, { token }),

  search(room: number, q: string, opts: { before?: number; limit?: number }, token?: string) {
    const p = new URLSearchParams({ q });
    if (opts.before !== undefined) p.set('before', String(opts.before));
    if (opts.limit !== undefined) p.set('limit', String(opts.limit));
    return call<SearchPage>('GET', `${roomPath(room)}/search?${p}`, { token });
  },

  /** null keeps messages forever. */
  setRetention: (room: number, retention_seconds: number | null, token: string) =>
    call<Room>('PUT', roomPath(room), { body: { retention_seconds }, token }),
};
