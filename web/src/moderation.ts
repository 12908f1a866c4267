// Owner actions over REST, each with the owner token this browser holds for the room.
import { api, describeError, type Result } from './api';
import { tokens } from './tokens';
import type { BanEntry } from './types';

export type Outcome = { ok: true } | { ok: false; text: string };

function outcome(res: Result<unknown>): Outcome {
  if (res.ok) return { ok: true };
  if (res.status === 401 || res.status === 403)
    return { ok: false, text: 'Your owner pass is no longer valid. Enter the owner key on the room’s entrance again.' };
  return { ok: false, text: describeError(res.error) };
}

function ownerToken(room: number): string | undefined {
  return tokens.get(room, 'owner')?.token;
}

const NO_PASS: Outcome = { ok: false, text: 'This browser holds no owner pass for the room.' };

export async function ban(room: number, name: string): Promise<Outcome> {
  const t = ownerToken(room);
  return t ? outcome(await api.ban(room, name, t)) : NO_PASS;
}

/** The room's bans, or why they could not be read. */
export async function listBans(room: number): Promise<{ ok: true; bans: BanEntry[] } | { ok: false; text: string }> {
  const t = ownerToken(room);
  if (!t) return NO_PASS as { ok: false; text: string };
  const res = await api.bans(room, t);
  return res.ok ? { ok: true, bans: Array.isArray(res.data) ? res.data : [] } : (outcome(res) as { ok: false; text: string });
}

export async function unban(room: number, name: string): Promise<Outcome> {
  const t = ownerToken(room);
  return t ? outcome(await api.unban(room, name, t)) : NO_PASS;
}

/** A kick is a ban lifted at once: the person's sockets close, and they may come back. */
export async function kick(room: number, name: string): Promise<Outcome> {
  const banned = await ban(room, name);
  return banned.ok ? unban(room, name) : banned;
}
