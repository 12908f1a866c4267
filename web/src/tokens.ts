// Room tokens kept in this browser, and the keeper that renews them before they expire.
// A room can hold two: a member token (password rooms) and an owner token (from the owner key).
import { api } from './api';
import { load, save } from './storage';
import type { Role, TokenGrant } from './types';

export interface StoredToken {
  token: string;
  name: string;
  role: Role;
  room_id: number;
  expires_at: string;
}

type Store = Record<string, StoredToken>;

/** Renew this long before expiry: tokens live 60 minutes, so a few failed tries still fit. */
const RENEW_BEFORE_MS = 5 * 60_000;
const CHECK_EVERY_MS = 20_000;
/** Quick retries of one renewal that failed for a reason other than the token itself. */
const RETRIES_PER_RENEWAL = 3;
const STORE_KEY = 'tokens';

const listeners = new Set<() => void>();
const key = (room: number, role: Role) => `${room}:${role}`;
const read = (): Store => load<Store>(STORE_KEY, {});

function write(store: Store): void {
  save(STORE_KEY, store);
  for (const l of listeners) l();
}

function expiresIn(t: StoredToken): number {
  const at = Date.parse(t.expires_at);
  return Number.isFinite(at) ? at - Date.now() : 0;
}

export const tokens = {
  /** A token still good for at least a few seconds, or undefined. */
  get(room: number, role: Role): StoredToken | undefined {
    const t = read()[key(room, role)];
    return t && expiresIn(t) > 5_000 ? t : undefined;
  },
  put(grant: TokenGrant): StoredToken {
    const t: StoredToken = {
      token: grant.token,
      name: grant.name,
      role: grant.role,
      room_id: grant.room_id,
      expires_at: grant.expires_at,
    };
    const store = read();
    store[key(grant.room_id, grant.role)] = t;
    write(store);
    return t;
  },
  drop(room: number, role?: Role): void {
    const store = read();
    for (const r of role ? [role] : (['member', 'owner'] as const)) delete store[key(room, r)];
    write(store);
  },
  subscribe(fn: () => void): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

const inFlight = new Map<string, Promise<void>>();

/** Renews one token now. Revoked tokens (401/403) are forgotten; other failures keep it for a retry. */
export function renew(t: StoredToken): Promise<void> {
  const k = key(t.room_id, t.role);
  let p = inFlight.get(k);
  if (!p) {
    p = (async () => {
      for (let attempt = 0; ; attempt++) {
        const res = await api.renewToken(t.room_id, t.token);
        if (res.ok && res.data?.token) {
          tokens.put({ ...res.data, room_id: res.data.room_id ?? t.room_id });
          return;
        }
        if (res.status === 401 || res.status === 403 || res.status === 404) return tokens.drop(t.room_id, t.role);
        // Offline, or a server busy or restarting: try again soon (1, 2, 4 s), then at the
        // keeper's next check. Five minutes of margin leave room for many tries.
        if (attempt >= RETRIES_PER_RENEWAL) return;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
      }
    })().finally(() => inFlight.delete(k));
    inFlight.set(k, p);
  }
  return p;
}

/** Checks every stored token on a timer and renews those near expiry; expired ones are dropped. */
export function startTokenKeeper(): () => void {
  const tick = () => {
    const store = read();
    let dropped = false;
    for (const [k, t] of Object.entries(store)) {
      const left = expiresIn(t);
      if (left <= 0) {
        delete store[k];
        dropped = true;
      } else if (left < RENEW_BEFORE_MS) void renew(t);
    }
    if (dropped) write(store);
  };
  tick();
  const timer = setInterval(tick, CHECK_EVERY_MS);
  const onStorage = (e: StorageEvent) => {
    if (e.key?.endsWith(STORE_KEY)) for (const l of listeners) l();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    clearInterval(timer);
    window.removeEventListener('storage', onStorage);
  };
}
