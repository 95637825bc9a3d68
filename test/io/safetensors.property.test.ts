/**
 * Property-based tests of the safetensors reader: random bytes, truncated and bit-flipped files,
 * and headers that lie (overlapping or out-of-range offsets, dtypes and shapes that disagree with
 * the offsets, huge header lengths, odd names and metadata). Every input must give either valid
 * tensors or an Error from decodeSafetensors that says what is wrong; never another exception, a
 * hang, or an allocation out of proportion to the input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSafetensors, encodeSafetensors, SAFETENSORS_DTYPES } from '../../src/io/safetensors.js';
import type { NamedArrays } from '../../src/io/named-arrays.js';

const RUNS = { numRuns: 400, seed: 42 };

/** Decodes `bytes`; checks the outcome is valid tensors or a clean, named error. */
function decodeOrCleanError(bytes: Uint8Array): 'ok' | 'error' {
  const t0 = performance.now();
  let outcome: 'ok' | 'error';
  try {
    const r = decodeSafetensors(bytes);
    let out = 0;
    for (const [name, t] of Object.entries(r.tensors)) {
      assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1), name);
      out += t.data.byteLength;
    }
    // Conversions widen at most 4× (U8/I8/BOOL -> int32), so the output is bounded by the input.
    assert.ok(out <= 4 * bytes.length, `decoded ${out} bytes from a ${bytes.length}-byte file`);
    outcome = 'ok';
  } catch (e) {
    assert.ok(e instanceof Error && e.constructor === Error, `not a plain Error: ${String(e)}`);
    assert.match(e.message, /^decodeSafetensors: /, e.message);
    assert.ok(e.message.length < 2000, 'error message is bounded');
    outcome = 'error';
  }
  // A generous bound that only a hang or quadratic blow-up on these small inputs would exceed.
  assert.ok(performance.now() - t0 < 2000, `decoding ${bytes.length} bytes took ${performance.now() - t0} ms`);
  return outcome;
}

const namedArrays: fc.Arbitrary<NamedArrays> = fc.dictionary(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
  fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.boolean()).map(([shape, isFloat]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return isFloat
      ? { dtype: 'float32' as const, shape, data: Float32Array.from({ length: n }, (_, i) => i * 0.5 - 1) }
      : { dtype: 'int32' as const, shape, data: Int32Array.from({ length: n }, (_, i) => i - 2) };
  }),
  { maxKeys: 4 },
);

test('random bytes: tensors or a clean error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeOrCleanError(b)), RUNS);
});

test('a valid file cut short anywhere is a clean error', () => {
  fc.assert(fc.property(namedArrays, fc.nat(), (tensors, cut) => {
    const bytes = encodeSafetensors(tensors);
    const at = cut % bytes.length; // strictly shorter than the file
    assert.equal(decodeOrCleanError(bytes.subarray(0, at)), 'error');
  }), RUNS);
});

test('a valid file with any byte changed decodes or fails cleanly', () => {
  fc.assert(fc.property(namedArrays, fc.nat(), fc.integer({ min: 1, max: 255 }), (tensors, where, xor) => {
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const copy = bytes.slice();
    copy[where % copy.length] ^= xor;
    decodeOrCleanError(copy);
  }), RUNS);
});

/** A header that may lie about everything, over a byte buffer of random length. */
const lyingFile = fc.record({
  entries: fc.array(fc.record({
    name: fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('__proto__', 'constructor', '__metadata__', '')),
    dtype: fc.oneof(fc.constantFrom(...SAFETENSORS_DTYPES), fc.constantFrom('F128', 'f32', '', 'U128')),
    shape: fc.oneof(
      fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 4 }),
      fc.array(fc.oneof(fc.integer(), fc.constantFrom(-1, 2 ** 31, 2 ** 53, 2 ** 60, 1.5, 0)), { maxLength: 4 }),
    ),
    offsets: fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 })),
      fc.tuple(fc.constantFrom(-8, 0, 2 ** 32, 2 ** 53, 2 ** 64, 1.5), fc.constantFrom(-1, 8, 2 ** 32, 2 ** 53 + 2, 2 ** 64)),
    ),
  }), { maxLength: 5 }),
  metadata: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer())), { nil: undefined }),
  bufferLength: fc.integer({ min: 0, max: 64 }),
  lengthField: fc.oneof(
    fc.constant('true' as const),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    fc.constantFrom(2n ** 64n - 1n, 100_000_000n, 100_000_001n, 2n ** 53n + 1n),
  ),
  padding: fc.integer({ min: 0, max: 9 }),
  // honest offsets: each tensor placed after the previous with the size its dtype and shape need
  honest: fc.boolean(),
});

const ITEM: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };

test('headers that lie (offsets overlapping or out of range, dtype/shape mismatch, huge lengths) fail cleanly', () => {
  let decoded = 0;
  fc.assert(fc.property(lyingFile, (f) => {
    if (f.honest) {
      let at = 0;
      for (const e of f.entries) {
        const size = e.shape.reduce((a, b) => a * b, 1) * (ITEM[e.dtype] ?? 1);
        if (Number.isSafeInteger(size) && size >= 0 && size < 256) {
          e.offsets = [at, at + size];
          at += size;
        }
      }
      f.bufferLength = at;
    }
    const parts = f.entries.map((e) => `${JSON.stringify(e.name)}:{"dtype":${JSON.stringify(e.dtype)},"shape":[${e.shape.join(',')}],"data_offsets":[${e.offsets.join(',')}]}`);
    if (f.metadata) parts.unshift(`"__metadata__":${JSON.stringify(f.metadata)}`);
    const json = new TextEncoder().encode(`{${parts.join(',')}}${' '.repeat(f.padding)}`);
    const bytes = new Uint8Array(8 + json.length + f.bufferLength);
    new DataView(bytes.buffer).setBigUint64(0, f.lengthField === 'true' ? BigInt(json.length) : f.lengthField, true);
    bytes.set(json, 8);
    for (let i = 8 + json.length; i < bytes.length; i++) bytes[i] = (i * 37) & 1; // 0/1 so BOOL data is valid
    if (decodeOrCleanError(bytes) === 'ok') decoded++;
  }), { ...RUNS, numRuns: 1500 });
  assert.ok(decoded > 0, 'the generator never produced a valid file, so it tests too little');
});

test('huge header lengths are refused before anything is allocated for them', () => {
  for (const n of [2n ** 64n - 1n, 2n ** 63n, 100_000_001n, 99_999_999n, 17n]) {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, n, true);
    assert.equal(decodeOrCleanError(bytes), 'error');
  }
});
