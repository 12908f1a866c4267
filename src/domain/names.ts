// Chat names and colours: what a socket may join as.
import { AppError } from './errors.js';
import { charLength } from './room.js';

export const NAME_MAX = 32;
export const DEFAULT_COLOR = '#455a64';

export function validName(raw: unknown, field = 'name'): string {
  if (typeof raw !== 'string') throw new AppError(303, field);
  const name = raw.trim().normalize('NFC');
  const len = charLength(name);
  if (len < 1 || len > NAME_MAX) throw new AppError(303, field);
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(name)) throw new AppError(303, field);
  return name;
}

/** Names are unique in a room ignoring case, so "David" cannot pose as "david". */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

// Colours end up in other people's style attributes: only hex and plain colour names pass.
const COLOR = /^(#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|[a-zA-Z]{3,20})$/;

export function validColor(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_COLOR;
  if (typeof raw !== 'string' || !COLOR.test(raw.trim())) throw new AppError(303, 'color');
  return raw.trim();
}
