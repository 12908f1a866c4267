// Conversation rules (SPEC §7): what a reaction emoji, a mention, a reply excerpt, a search
// query and a retention are. No I/O: the actions and routes check input here first.
import { LIMITS } from '../protocol/wire.js';
import { AppError } from './errors.js';
import { charLength } from './room.js';
import { NAME_MAX } from './names.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// A keycap (1️⃣) is a digit with U+20E3; flags are regional indicator pairs; the rest are pictographs.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;
/** A single grapheme may stack any number of combining marks; no emoji needs more than this. */
const EMOJI_MAX_UNITS = 32;

/** One emoji grapheme (👍, 👩🏽‍💻, 🇫🇷, 1️⃣); anything else is error 303 field `emoji`. */
export function validEmoji(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > EMOJI_MAX_UNITS) throw new AppError(303, 'emoji');
  let count = 0;
  for (const _ of graphemes.segment(raw)) if (++count > 1) throw new AppError(303, 'emoji');
  if (!EMOJI.test(raw)) throw new AppError(303, 'emoji');
  return raw;
}

/** The first 120 characters (code points) of a reply's original. */
export function replyExcerpt(msg: string): string {
  let out = '';
  let n = 0;
  for (const ch of msg) {
    if (n++ === LIMITS.replyExcerpt) break;
    out += ch;
  }
  return out;
}

// `@` at the start or after anything that is not part of a word (so mail@example.org is no
// mention), then the longest run of word characters, dots, dashes and apostrophes; trailing
// punctuation ("@bob." or "@bob's") is not part of the name.
const MENTION = /(?<![\p{L}\p{N}\p{M}_])@([\p{L}\p{N}\p{M}_.'’-]+)/gu;
const MENTIONS_MAX = 20;

/**
 * The names written as `@name` in a message, as written, each once (compared ignoring case),
 * at most 20. Names with spaces cannot be told from the words after them, so a mention is one
 * word: "@bob smith" mentions "bob".
 */
export function mentionsIn(msg: string): string[] {
  if (!msg.includes('@')) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of msg.matchAll(MENTION)) {
    const name = m[1]!.replace(/[.'’-]+$/u, '').replace(/['’]s$/u, '');
    if (name === '' || charLength(name) > NAME_MAX) continue;
    const key = name.normalize('NFC').toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
    if (out.length === MENTIONS_MAX) break;
  }
  return out;
}

/** A search query split into its terms; 105 field `q` when it is too short, too long or has no term of 3+ characters. */
export function searchTerms(raw: unknown): string[] {
  if (typeof raw !== 'string') throw new AppError(105, 'q');
  const q = raw.trim();
  const len = charLength(q);
  if (len < LIMITS.searchMin || len > LIMITS.searchMax || q.includes('\u0000')) throw new AppError(105, 'q');
  const terms = [...new Set(q.split(/\s+/u).filter((t) => t !== ''))];
  // A trigram index finds terms of three characters or more; shorter ones only narrow what it found.
  if (!terms.some((t) => charLength(t) >= 3)) throw new AppError(105, 'q');
  return terms;
}

/** retention_seconds of a PUT: null (keep forever) or 60–31 536 000; else 105 field `retention_seconds`. */
export function validRetention(raw: unknown): number | null {
  if (raw === null) return null;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < LIMITS.retentionMin || raw > LIMITS.retentionMax) {
    throw new AppError(105, 'retention_seconds');
  }
  return raw;
}
