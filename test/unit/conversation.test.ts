import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mentionsIn, replyExcerpt, searchTerms, validEmoji, validRetention } from '../../src/domain/conversation.ts';
import { AppError } from '../../src/domain/errors.ts';
import { parseInbound } from '../../src/realtime/actions/index.ts';
import { chunkGroups } from '../../src/store/postgres-conversations.ts';

const fails = (fn: () => unknown, code: number, field?: string) =>
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.code === code && e.field === field);

test('an emoji is one grapheme that is an emoji: ZWJ sequences, skin tones, flags and keycaps pass', () => {
  for (const e of ['👍', '👍🏽', '👩🏽‍💻', '🇫🇷', '1️⃣', '❤️', '🏳️‍🌈']) assert.equal(validEmoji(e), e);
  for (const bad of ['', 'a', 'é', '👍👍', '👍 ', ' ', '🇫🇷🇩🇪', 'ab', '\u0000', `a${'\u0301'.repeat(40)}`, 5, null]) {
    fails(() => validEmoji(bad), 303, 'emoji');
  }
});

test('a reply excerpt is the first 120 code points, never a broken surrogate pair', () => {
  assert.equal(replyExcerpt('short'), 'short');
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
      const e = replyExcerpt(s);
      assert.ok(s.startsWith(e));
      assert.equal([...e].length, Math.min(120, [...s].length));
      assert.doesNotThrow(() => encodeURIComponent(e));
    }),
  );
});

test('mentions: @name tokens as written, once ignoring case, not mail addresses', () => {
  assert.deepEqual(mentionsIn('hi @Bob, @bob and @zoë. Mail ann@example.org or @carl!'), ['Bob', 'zoë', 'carl']);
  assert.deepEqual(mentionsIn("@dave's idea, (@eve) @f.g. @-"), ['dave', 'eve', 'f.g']);
  assert.deepEqual(mentionsIn('@李雷 你好'), ['李雷']);
  assert.deepEqual(mentionsIn('no mentions @ all'), []);
  assert.deepEqual(mentionsIn(`@${'x'.repeat(33)}`), []);
  assert.equal(mentionsIn(Array.from({ length: 30 }, (_, i) => `@n${i}`).join(' ')).length, 20);
});

test('search terms: 3–200 characters in all, one term of 3+; shorter terms kept', () => {
  assert.deepEqual(searchTerms('  hello   to World '), ['hello', 'to', 'World']);
  assert.deepEqual(searchTerms('你好吗'), ['你好吗']);
  for (const bad of ['', 'ab', 'a b', 'ab cd', 'x'.repeat(201), undefined, ['abc'], 'abc\u0000']) fails(() => searchTerms(bad), 105, 'q');
});

test('retention: null or a whole number of seconds from 60 to 31 536 000', () => {
  assert.equal(validRetention(null), null);
  assert.equal(validRetention(60), 60);
  assert.equal(validRetention(31_536_000), 31_536_000);
  for (const bad of [59, 31_536_001, 60.5, '60', undefined, -1]) fails(() => validRetention(bad), 105, 'retention_seconds');
});

test('react and read frames are checked against their schemas', () => {
  assert.equal(parseInbound('{"event_type":"react","id":"x","emoji":"👍"}').event_type, 'react');
  fails(() => parseInbound('{"event_type":"react","emoji":"👍"}'), 303, 'id');
  fails(() => parseInbound('{"event_type":"read","seq":-1}'), 303, 'seq');
  fails(() => parseInbound('{"event_type":"read","seq":"1"}'), 303, 'seq');
  assert.equal(parseInbound('{"event_type":"read","seq":0}').seq, 0);
});

test("PostgreSQL search's chunk groups cover every seq below the bound once, newest first, widening", () => {
  const decode = (key: string) => {
    const k = BigInt(key);
    const room = Number(k >> 32n);
    const coarse = (k >> 31n) & 1n;
    const n = Number(k & 0x7fffffffn);
    return coarse ? { room, from: n << 17, to: (n + 1) << 17 } : { room, from: n << 13, to: (n + 1) << 13 };
  };
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 3_000_000 }), (roomId, below) => {
      const groups = [...chunkGroups(roomId, below)];
      if (below === 0) return assert.deepEqual(groups, []);
      const ranges = groups.map((g) => g.map(decode));
      // Consecutive, newest first, down to seq 0, all in the room; the chunk holding below - 1 comes first.
      let next = Infinity;
      for (const r of ranges.flat()) {
        assert.equal(r.room, roomId);
        if (next === Infinity) assert.ok(r.from <= below - 1 && below - 1 < r.to);
        else assert.equal(r.to, next);
        next = r.from;
      }
      assert.equal(next, 0);
      // Group i covers at most 8192 * 2^i seqs, or is one chunk: a page is never read far past.
      const sizes = ranges.map((g) => g.reduce((n, r) => n + r.to - r.from, 0));
      assert.equal(sizes[0], 8192);
      sizes.forEach((size, i) => assert.ok(size <= 8192 * 2 ** i || ranges[i]!.length === 1, `${sizes}`));
    }),
  );
});
