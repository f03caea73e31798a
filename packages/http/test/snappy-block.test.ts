import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import { SnappyError, snappyHeader, uncompressInto } from '../src/snappy-block.js';

/** Inputs that exercise literals of every length encoding and overlapping/long copies. */
function inputs(): Buffer[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const random = Buffer.from(Array.from({ length: 70_000 }, () => Math.floor(rnd() * 256)));
  const runs = Buffer.from('a'.repeat(100_000) + 'abcabcabc'.repeat(5000));
  const text = Buffer.from(Array.from({ length: 3000 }, (_, i) => `series{pod="p-${i % 97}",ns="n-${i % 7}"} ${rnd()}\n`).join(''));
  return [Buffer.alloc(0), Buffer.from('x'), random, runs, text, Buffer.concat([random.subarray(0, 5000), runs, random])];
}

test('decodes what the native snappy encodes, into a caller buffer reused across calls', () => {
  const out = Buffer.alloc(1 << 20);
  for (const input of inputs()) {
    const block = snappy.compressSync(input);
    assert.equal(snappyHeader(block).length, input.length);
    out.fill(0xee);
    assert.equal(uncompressInto(block, out), input.length);
    assert.ok(out.subarray(0, input.length).equals(input));
  }
});

test('corrupt or truncated blocks throw SnappyError, never write past the declared length', () => {
  const block = snappy.compressSync(Buffer.from('hello hello hello hello hello world'.repeat(50)));
  const out = Buffer.alloc(4096);
  const bad: [string, Buffer][] = [
    ['truncated', block.subarray(0, block.length - 3)],
    ['declared longer', Buffer.concat([Buffer.from([0xff, 0x0f]), block.subarray(2)])],
    ['copy before the start', Buffer.from([8, 0x0d, 0x01])], // 8 bytes declared, a copy of offset 1 with nothing written
    ['literal past the declared length', Buffer.from([1, 0x08, 0x61, 0x62, 0x63])],
    ['bad header', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80])],
  ];
  for (const [name, b] of bad) assert.throws(() => uncompressInto(b, out), SnappyError, name);
});
