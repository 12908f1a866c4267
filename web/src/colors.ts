// Each name its own colour unless the person picks one: derived from the name (so it is the same
// on every device and for every reader), from a palette that works on light and dark screens.
// Text drawn on a colour (an avatar's initial) is black or white, whichever reads better.
import { PALETTE } from './storage';

/** FNV-1a over the name as the server compares it (case-insensitive), so "Ann" and "ann" match. */
export function colorFor(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name.normalize('NFC').toLowerCase()) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // FNV's low bits barely move for short names: mix them all in (murmur3's finalizer) first.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return PALETTE[h % PALETTE.length]!.value;
}

/** The colour a person sends: their pick, or their name's own. */
export const chosenColor = (profile: { name: string; color: string }) => profile.color || colorFor(profile.name.trim());

function luminance(hex: string): number | undefined {
  const m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(hex);
  if (!m) return undefined;
  let h = m[1]!;
  if (h.length <= 4) h = [...h.slice(0, 3)].map((c) => c + c).join('');
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Black or white, whichever contrasts more with `bg`; white for colour names (the server allows them). */
export function textOn(bg: string): string {
  const l = luminance(bg);
  if (l === undefined) return '#fff';
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111' : '#fff';
}
