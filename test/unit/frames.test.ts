import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textFrame } from '../../src/realtime/frames.ts';

/** Reads one server frame as RFC 6455 §5.2 lays it out. */
function parse(frame: Buffer): { fin: boolean; opcode: number; masked: boolean; payload: string; rest: number } {
  let len = frame[1]! & 0x7f;
  let at = 2;
  if (len === 126) {
    len = frame.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    len = Number(frame.readBigUInt64BE(2));
    at = 10;
  }
  return {
    fin: (frame[0]! & 0x80) !== 0,
    opcode: frame[0]! & 0x0f,
    masked: (frame[1]! & 0x80) !== 0,
    payload: frame.subarray(at, at + len).toString(),
    rest: frame.length - at - len,
  };
}

test('events become one complete, unmasked text frame, for every payload length encoding', () => {
  for (const text of ['{}', 'é'.repeat(100), 'x'.repeat(125), 'x'.repeat(126), 'y'.repeat(65_535), 'z'.repeat(70_000)]) {
    const json = JSON.stringify({ msg: text });
    assert.deepEqual(parse(textFrame(json)), { fin: true, opcode: 1, masked: false, payload: json, rest: 0 });
  }
});
