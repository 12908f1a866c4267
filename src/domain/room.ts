// Room rules (SPEC §1): what a valid title, description, visibility and password are.
import { AppError } from './errors.js';
import { normalizeText, skeletonKey } from './skeleton.js';

export const VISIBILITIES = ['public', 'private', 'hidden'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const TITLE_MIN = 2;
export const TITLE_MAX = 70;
export const DESCRIPTION_MAX = 70;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Length in user-perceived characters would need ICU; code points match what JSON Schema counts. */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The key that makes titles unique: the confusable skeleton ignoring case (SPEC §12), so
 * "Paypal" and "Pаypаl" with Cyrillic `а` are one room. Stored as rooms.title_key; the version
 * of this function is TITLE_KEY_VERSION, and the stores re-key rooms stored under an older one.
 */
export function titleKey(title: string): string {
  return skeletonKey(title);
}

/** 1: NFC lower-case; 2: confusable skeleton. */
export const TITLE_KEY_VERSION = 2;

export function validTitle(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError(raw === undefined ? 105 : 103, 'title');
  const title = normalizeText(raw);
  if (title === undefined) throw new AppError(105, 'title');
  const len = charLength(title);
  if (len < TITLE_MIN || len > TITLE_MAX) throw new AppError(105, 'title');
  // A title of digits only would be read as a room id in /chats/:room.
  if (/^\d+$/.test(title)) throw new AppError(105, 'title');
  if (/[\u0000-\u001f\u007f]/.test(title)) throw new AppError(105, 'title');
  return title;
}

export function validDescription(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') throw new AppError(103, 'description');
  const d = raw.trim();
  if (charLength(d) > DESCRIPTION_MAX || d.includes('\u0000')) throw new AppError(105, 'description');
  return d;
}

export function validVisibility(raw: unknown): Visibility {
  if (typeof raw !== 'string') throw new AppError(raw === undefined ? 105 : 103, 'visibility');
  const v = raw.trim().toLowerCase();
  if (!(VISIBILITIES as readonly string[]).includes(v)) throw new AppError(105, 'visibility');
  return v as Visibility;
}

/** A password as given: never trimmed (spaces may be part of it). */
export function validPassword(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError(103, 'password');
  const len = charLength(raw);
  if (len < PASSWORD_MIN || len > PASSWORD_MAX) throw new AppError(105, 'password');
  return raw;
}

export interface RoomInput {
  title: string;
  description: string;
  visibility: Visibility;
  /** Plain password for private and hidden rooms; null for public ones. */
  password: string | null;
}

/** Validates a creation body. */
export function parseNewRoom(body: Record<string, unknown>): RoomInput {
  const title = validTitle(body.title);
  const description = validDescription(body.description);
  const visibility = validVisibility(body.visibility ?? 'public');
  const password = passwordFor(visibility, body.password, true);
  return { title, description, visibility, password };
}

export interface RoomPatch {
  title?: string;
  description?: string;
  visibility?: Visibility;
  /** A new password; undefined keeps the current one. */
  password?: string | null;
}

/**
 * Validates an update body against the current room. Fields left out keep their values;
 * a private room turned public drops its password; a public room made private needs one.
 */
export function parseRoomPatch(
  body: Record<string, unknown>,
  current: { visibility: Visibility; hasPassword: boolean },
): RoomPatch {
  const patch: RoomPatch = {};
  if (body.title !== undefined) patch.title = validTitle(body.title);
  if (body.description !== undefined) patch.description = validDescription(body.description);
  if (body.visibility !== undefined) patch.visibility = validVisibility(body.visibility);
  const visibility = patch.visibility ?? current.visibility;
  const hasPassword = body.password !== undefined && body.password !== null && body.password !== '';
  if (visibility === 'public') {
    if (hasPassword) throw new AppError(105, 'password');
    if (current.visibility !== 'public') patch.password = null;
  } else if (hasPassword) {
    patch.password = validPassword(body.password);
  } else if (!current.hasPassword) {
    throw new AppError(105, 'password');
  }
  return patch;
}

function passwordFor(visibility: Visibility, raw: unknown, creating: boolean): string | null {
  const given = raw !== undefined && raw !== null && raw !== '';
  if (visibility === 'public') {
    // Refused rather than ignored: a public room with a password is almost always a mistake.
    if (given) throw new AppError(105, 'password');
    return null;
  }
  if (!given) {
    if (creating) throw new AppError(105, 'password');
    return null;
  }
  return validPassword(raw);
}
