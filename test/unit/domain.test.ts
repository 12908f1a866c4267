import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../src/domain/errors.ts';
import { validClientId, validMessageText } from '../../src/domain/message.ts';
import { nameKey, validColor, validName } from '../../src/domain/names.ts';
import { parseNewRoom, parseRoomPatch, titleKey, validTitle } from '../../src/domain/room.ts';
import { parseInbound } from '../../src/realtime/actions/index.ts';
import { TokenBucket } from '../../src/realtime/rate.ts';

const fails = (fn: () => unknown, code: number, field?: string) =>
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.code === code && e.field === field);

test('room titles: 2–70 characters after trimming, not only digits, no control characters', () => {
  assert.equal(validTitle('  My chat room '), 'My chat room');
  assert.equal(validTitle('ab'), 'ab');
  assert.equal(validTitle('é'.repeat(70)), 'é'.repeat(70));
  fails(() => validTitle('a'), 105, 'title');
  fails(() => validTitle('x'.repeat(71)), 105, 'title');
  fails(() => validTitle('2020'), 105, 'title');
  fails(() => validTitle('tab\there'), 105, 'title');
  fails(() => validTitle(5), 103, 'title');
  fails(() => validTitle(undefined), 105, 'title');
  assert.equal(titleKey('Ärger'), titleKey('äRGER'));
});

test('visibility and passwords: private and hidden need 8–128, public refuses one', () => {
  assert.deepEqual(parseNewRoom({ title: 'T1', visibility: 'PUBLIC' }), {
    title: 'T1',
    description: '',
    visibility: 'public',
    password: null,
  });
  assert.equal(parseNewRoom({ title: 'T1', visibility: 'Hidden', password: '12345678' }).visibility, 'hidden');
  fails(() => parseNewRoom({ title: 'T1', visibility: 'private' }), 105, 'password');
  fails(() => parseNewRoom({ title: 'T1', visibility: 'private', password: 'short' }), 105, 'password');
  fails(() => parseNewRoom({ title: 'T1', visibility: 'private', password: 'x'.repeat(129) }), 105, 'password');
  fails(() => parseNewRoom({ title: 'T1', visibility: 'public', password: 'whatever1' }), 105, 'password');
  fails(() => parseNewRoom({ title: 'T1', visibility: 'secret' }), 105, 'visibility');
  fails(() => parseNewRoom({ title: 'T1', description: 'd'.repeat(71) }), 105, 'description');
});

test('room updates: going public drops the password; going private needs one unless kept', () => {
  assert.deepEqual(parseRoomPatch({ visibility: 'public' }, { visibility: 'private', hasPassword: true }), {
    visibility: 'public',
    password: null,
  });
  fails(() => parseRoomPatch({ visibility: 'private' }, { visibility: 'public', hasPassword: false }), 105, 'password');
  assert.deepEqual(parseRoomPatch({ visibility: 'hidden' }, { visibility: 'private', hasPassword: true }), { visibility: 'hidden' });
  assert.deepEqual(parseRoomPatch({ description: 'new' }, { visibility: 'public', hasPassword: false }), { description: 'new' });
});

test('names, colours, message text and client ids', () => {
  assert.equal(validName(' david '), 'david');
  fails(() => validName(''), 303, 'name');
  fails(() => validName('x'.repeat(33)), 303, 'name');
  fails(() => validName('a\nb'), 303, 'name');
  assert.equal(nameKey('David'), nameKey('dAVID'));
  assert.equal(validColor('#7b1fa2'), '#7b1fa2');
  assert.equal(validColor('purple'), 'purple');
  assert.equal(validColor(undefined), '#455a64');
  fails(() => validColor('red;background:url(x)'), 303, 'color');
  fails(() => validColor('expression(alert(1))'), 303, 'color');
  assert.equal(validMessageText('hi'), 'hi');
  fails(() => validMessageText('   '), 303, 'msg');
  fails(() => validMessageText('x'.repeat(4001)), 303, 'msg');
  assert.equal(validMessageText('😀'.repeat(4000)).length, 8000, 'limits count characters, not UTF-16 units');
  assert.equal(validMessageText('tab\there\nnew line'), 'tab\there\nnew line');
  fails(() => validMessageText('nul\u0000byte'), 303, 'msg');
  assert.equal(validClientId(undefined), null);
  fails(() => validClientId(''), 303, 'client_id');
  fails(() => validClientId('a\u0000'), 303, 'client_id');
  fails(() => parseNewRoom({ title: 'Fine', description: 'a\u0000b' }), 105, 'description');
  fails(() => validTitle('bad\u0000title'), 105, 'title');
});

test('inbound frames: only known event types of the right shape reach the domain', () => {
  assert.equal(parseInbound('{"event_type":"send","msg":"hi"}').event_type, 'send');
  fails(() => parseInbound('nope'), 303);
  fails(() => parseInbound('null'), 303);
  fails(() => parseInbound('{"event_type":"send"}'), 303, 'msg');
  fails(() => parseInbound('{"event_type":"send","msg":"hi","client_id":7}'), 303, 'client_id');
  fails(() => parseInbound('{"event_type":"__proto__"}'), 303, 'event_type');
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        parseInbound(s);
      } catch (e) {
        assert.ok(e instanceof AppError && e.code === 303);
      }
    }),
  );
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      try {
        parseInbound(JSON.stringify(v));
      } catch (e) {
        assert.ok(e instanceof AppError && e.code === 303);
      }
    }),
  );
});

test('token bucket: a burst passes, the next is refused; 0 turns it off', () => {
  const bucket = new TokenBucket(1, 3);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  const off = new TokenBucket(0, 0);
  for (let i = 0; i < 1000; i++) assert.ok(off.take());
});
