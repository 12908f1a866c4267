// Chat names and colours: what a socket may join as.
import { AppError } from './errors.js';
import { charLength } from './room.js';
import { normalizeText, skeletonKey } from './skeleton.js';

export const NAME_MAX = 32;
export const DEFAULT_COLOR = '#455a64';

export function validName(raw: unknown, field = 'name'): string {
  if (typeof raw !== 'string') throw new AppError(303, field);
  // NFKC, no invisible or format characters, something visible (SPEC §12).
  const name = normalizeText(raw);
  if (name === undefined) throw new AppError(303, field);
  const len = charLength(name);
  if (len < 1 || len > NAME_MAX) throw new AppError(303, field);
  return name;
}

/**
 * Names are one in a room when they look alike: "David", "david", Cyrillic "dаvid" and
 * fullwidth "ｄａｖｉｄ" share one key, the confusable skeleton ignoring case.
 */
export function nameKey(name: string): string {
  return skeletonKey(name);
}

// Colours end up in other people's style attributes: only hex and plain colour names pass.
const COLOR = /^(#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|[a-zA-Z]{3,20})$/;

export function validColor(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_COLOR;
  if (typeof raw !== 'string' || !COLOR.test(raw.trim())) throw new AppError(303, 'color');
  return raw.trim();
}
