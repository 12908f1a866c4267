// Names and titles that look alike are the same (SPEC §12): text is NFKC-normalized, invisible
// and format characters are refused, and uniqueness compares the UTS #39 confusable skeleton.
// The confusables table is Unicode's own (confusables.txt), as packaged by `unhomoglyph`.
import unhomoglyph from 'unhomoglyph';

/**
 * Characters no name or title may hold: controls, format characters (Cf, bidi controls among
 * them), default-ignorables (zero-width characters, soft hyphen, variation selectors, Hangul
 * fillers), line and paragraph separators, surrogates, private use and unassigned code points.
 */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;
/** Stacked combining marks ("zalgo"), or marks on nothing, hide what a name looks like. */
const STACKED_MARKS = /\p{M}{3,}|^\s*\p{M}|\s\p{M}/u;
/** Something a person can see: a letter, digit, punctuation or symbol. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * NFKC (fullwidth and mathematical letters become plain ones), trimmed, inner white space runs
 * made one space. Undefined when the text holds a character refused above or nothing visible.
 */
export function normalizeText(raw: string): string | undefined {
  const nfkc = raw.normalize('NFKC');
  // Tested before spaces are tidied: a tab or line break is a control character, refused.
  if (INVISIBLE.test(nfkc) || STACKED_MARKS.test(nfkc) || !VISIBLE.test(nfkc)) return undefined;
  return nfkc.trim().replace(/\s+/gu, ' ');
}

/**
 * The UTS #39 skeleton (NFD, confusables mapped, NFD again), taken ignoring case: lower-cased
 * before so that case is no difference, and after since the table maps some letters to capitals
 * (`0` → `O`). Two names with the same key are the same name.
 */
export function skeletonKey(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase();
  return unhomoglyph(folded.normalize('NFD')).normalize('NFD').toLowerCase();
}
