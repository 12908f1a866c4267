// Normalization and confusable skeletons (SPEC §12) on a corpus of look-alikes: each one is the
// same key as the plain name, for names, for titles and so for bans; invisible and format
// characters are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import { nameKey, validName } from '../../src/domain/names.ts';
import { titleKey, validTitle } from '../../src/domain/room.ts';

/** Each of these must be taken as "alice" (names) or "Alice room" (titles). */
const ALICE_LOOKALIKES: [string, string][] = [
  ['plain', 'alice'],
  ['capitals', 'ALICE'],
  ['Cyrillic а', '\u0430lice'],
  ['Cyrillic а, е and і', '\u0430l\u0456c\u0435'],
  ['Cyrillic capital А', 'Аlice'],
  ['Greek capital Α', 'ΑLICE'],
  ['fullwidth', 'ａｌｉｃｅ'],
  ['mathematical bold', '𝐚𝐥𝐢𝐜𝐞'],
  ['mathematical script capitals', '𝒜𝓁𝒾𝒸ℯ'],
  ['digit one for l', 'a1ice'],
  ['spaces around', '  alice  '],
  ['no-break space around (NFKC: a space)', '\u00a0alice\u00a0'],
];

/** Refused outright: format, invisible and bidi characters, or nothing visible. */
const REFUSED: [string, string][] = [
  ['zero-width space', 'ali\u200bce'],
  ['zero-width joiner', 'ali\u200dce'],
  ['zero-width non-joiner', 'ali\u200cce'],
  ['word joiner', 'alice\u2060'],
  ['soft hyphen', 'ali\u00adce'],
  ['byte order mark', '\ufeffalice'],
  ['variation selector', 'alice\ufe0f'],
  ['Mongolian vowel separator', 'alice\u180e'],
  ['Hangul filler', 'alice\u3164'],
  ['halfwidth Hangul filler', '\uffa0alice'],
  ['Hangul choseong filler only', '\u115f'],
  ['right-to-left override', '\u202eecila'],
  ['left-to-right embedding', '\u202aalice'],
  ['right-to-left mark', 'alice\u200f'],
  ['first strong isolate', '\u2068alice\u2069'],
  ['Arabic letter mark', '\u061calice'],
  ['only invisible characters', '\u200b\u200c\u200d'],
  ['only combining marks', '\u0301\u0302'],
  ['stacked combining marks', 'a\u0301\u0302\u0303\u0304lice'],
  ['a tab', 'ali\tce'],
  ['a line separator', 'ali\u2028ce'],
  ['private use', 'alice\ue000'],
  ['unassigned code point', 'alice\u0378'],
];

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

test('names: look-alikes of "alice" have the key of "alice"', () => {
  const key = nameKey(validName('alice'));
  for (const [what, name] of ALICE_LOOKALIKES) assert.equal(nameKey(validName(name)), key, what);
});

test('names: format, invisible, bidi and empty names are refused with 303 naming the field', () => {
  for (const [what, name] of REFUSED) {
    const err = refusal(() => validName(name));
    assert.deepEqual([err.code, err.field], [303, 'name'], what);
  }
});

test('names are stored NFKC-normalized with inner white space made one space', () => {
  assert.equal(validName('ａｌｉｃｅ'), 'alice');
  assert.equal(validName('  bob   the  builder '), 'bob the builder');
  assert.equal(validName('ﬁona'), 'fiona');
  // Different names stay different.
  assert.notEqual(nameKey('alice'), nameKey('alicia'));
  assert.notEqual(nameKey('bob'), nameKey('rob'));
  assert.notEqual(nameKey('zoë'), nameKey('zoe'));
  // Scripts of their own are names like any other.
  assert.equal(validName('이름'), '이름');
  assert.equal(validName('имя'), 'имя');
  assert.equal(validName('名前'), '名前');
  assert.equal(nameKey('Ärger'), nameKey('äRGER'));
  assert.equal(nameKey('Ärger'), nameKey('A\u0308rger'), 'composed and decomposed');
});

test('the skeleton maps confusables from the Unicode data, not only case', () => {
  assert.equal(nameKey('rn'), nameKey('m'), 'r n looks like m');
  assert.equal(nameKey('paypal'), nameKey('р\u0430ур\u0430l'), 'Cyrillic р а у');
  assert.equal(nameKey('0scar'), nameKey('Oscar'));
  assert.equal(nameKey('boss'), nameKey('bо\u0455s'), 'Cyrillic о and ѕ');
  // Case is folded first, so a capital I is an i here, not the l it may look like in some fonts.
  assert.equal(nameKey('aIice'), nameKey('aiice'));
});

test('titles: look-alikes share a key; invisible and format characters are refused with 105', () => {
  const key = titleKey(validTitle('Alice room'));
  for (const [what, name] of ALICE_LOOKALIKES) assert.equal(titleKey(validTitle(`${name} room`)), key, what);
  for (const [what, name] of REFUSED) {
    const err = refusal(() => validTitle(`${name} room`));
    assert.deepEqual([err.code, err.field], [105, 'title'], what);
  }
  assert.equal(validTitle('Ｔｅａｍ  room'), 'Team room');
});
