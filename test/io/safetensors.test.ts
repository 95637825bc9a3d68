import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors, parseSafetensorsHeader } from '../../src/io/safetensors.js';
import type { NamedArrays } from '../../src/io/named-arrays.js';
import { assemble, buildFile, f32, f64, i16, i32, i64, seeded, u16, u32, u64 } from './build-file.js';

const u64le = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);

test('encoder matches the reference implementation byte for byte (unpadded header)', () => {
  // The reference's own serialisation test: one F32 tensor "attn.0" of shape [1,2,3] holding 0..5.
  const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header.length, 64);
  const expected = assemble(header, [f32([0, 1, 2, 3, 4, 5])]);
  const got = encodeSafetensors({ 'attn.0': { dtype: 'float32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
  assert.deepEqual(got, expected);
  assert.equal(u64le(got), 64n);
});

test('encoder pads the header with spaces so the buffer starts at a multiple of 8', () => {
  const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header.length, 65);
  const got = encodeSafetensors({ attn0: { dtype: 'float32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
  assert.equal(u64le(got), 72n);
  assert.equal(new TextDecoder().decode(got.subarray(8, 80)), header + ' '.repeat(7));
  assert.deepEqual(got.subarray(80), f32([0, 1, 2, 3, 4, 5]));
});

test('empty file, with and without metadata', () => {
  assert.deepEqual(encodeSafetensors({}), new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
  const withMeta = encodeSafetensors({}, { framework: 'pt' });
  const text = '{"__metadata__":{"framework":"pt"}}';
  assert.equal(u64le(withMeta), 40n);
  assert.equal(new TextDecoder().decode(withMeta.subarray(8)), text + ' '.repeat(40 - text.length));
  assert.deepEqual(decodeSafetensors(withMeta), { tensors: {}, metadata: { framework: 'pt' }, storedDtypes: {} });
});

test('layout: float32 before int32, names by code point, metadata first, scalars and empties in place', () => {
  const tensors: NamedArrays = {
    '10': { dtype: 'int32', shape: [2], data: new Int32Array([7, -8]) },
    b: { dtype: 'float32', shape: [], data: new Float32Array([2.5]) },
    '2': { dtype: 'float32', shape: [0, 3], data: new Float32Array(0) },
    a: { dtype: 'float32', shape: [2, 1], data: new Float32Array([1, -1]) },
    Z: { dtype: 'int32', shape: [1], data: new Int32Array([3]) },
  };
  const header =
    '{"__metadata__":{"a":"1","b":"x y"},' +
    '"2":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},' +
    '"a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},' +
    '"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]},' +
    '"10":{"dtype":"I32","shape":[2],"data_offsets":[12,20]},' +
    '"Z":{"dtype":"I32","shape":[1],"data_offsets":[20,24]}}';
  const expected = assemble(header, [f32([1, -1, 2.5]), i32([7, -8, 3])]);
  const got = encodeSafetensors(tensors, { b: 'x y', a: '1' });
  assert.deepEqual(got, expected);
  assert.equal((8 + Number(u64le(got))) % 8, 0);
  // Insertion order does not change the bytes.
  const reversed = Object.fromEntries(Object.entries(tensors).reverse());
  assert.deepEqual(encodeSafetensors(reversed, { a: '1', b: 'x y' }), expected);
});

test('random round trips, including scalars and empty tensors', () => {
  const rand = seeded(1234);
  for (let trial = 0; trial < 30; trial++) {
    const tensors: NamedArrays = {
      scalar: { dtype: 'float32', shape: [], data: new Float32Array([rand() - 0.5]) },
      empty: { dtype: 'int32', shape: [3, 0], data: new Int32Array(0) },
    };
    const count = Math.floor(rand() * 6);
    for (let k = 0; k < count; k++) {
      const shape = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 5));
      const n = shape.reduce((a, b) => a * b, 1);
      tensors[`layer.${k}.w${trial}`] =
        rand() < 0.5
          ? { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => (rand() - 0.5) * 1e6) }
          : { dtype: 'int32', shape, data: Int32Array.from({ length: n }, () => Math.floor((rand() - 0.5) * 2 ** 32)) };
    }
    const meta = { trial: String(trial), 'ünïcode 名': '値 ✓' };
    const bytes = encodeSafetensors(tensors, meta);
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.tensors, tensors);
    assert.deepEqual(back.metadata, meta);
    for (const [name, t] of Object.entries(tensors)) {
      assert.equal(back.storedDtypes[name], t.dtype === 'float32' ? 'F32' : 'I32');
    }
    assert.deepEqual(encodeSafetensors(back.tensors, back.metadata), bytes);
  }
});

test('special float values and -0 survive', () => {
  const data = new Float32Array([NaN, Infinity, -Infinity, -0, 1.401298464324817e-45, 3.4028234663852886e38]);
  const back = decodeSafetensors(encodeSafetensors({ x: { dtype: 'float32', shape: [6], data } }));
  assert.deepEqual(back.tensors.x.data, data);
  assert.ok(Object.is(back.tensors.x.data[3], -0));
});

test('decoder accepts a Uint8Array at an offset, an ArrayBuffer, a DataView and a pooled Buffer', () => {
  const bytes = encodeSafetensors({ w: { dtype: 'int32', shape: [3], data: new Int32Array([1, 2, 3]) } });
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const inner = shifted.subarray(3);
  // A small Node Buffer lives inside a shared pool, where Buffer#slice does not copy.
  const pooled = Buffer.from(bytes);
  for (const source of [inner, bytes.slice().buffer, new DataView(shifted.buffer, 3), pooled]) {
    assert.deepEqual(decodeSafetensors(source).tensors.w.data, new Int32Array([1, 2, 3]));
  }
});

test('decoder converts other dtypes as documented', () => {
  const file = buildFile([
    // 1, -2, 0.5, 65504, smallest subnormal, -0, +Inf, NaN
    { name: 'f16', dtype: 'F16', shape: [8], bytes: u16([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00]) },
    { name: 'bf16', dtype: 'BF16', shape: [3], bytes: u16([0x3f80, 0xc020, 0x4049]) },
    { name: 'f64', dtype: 'F64', shape: [3], bytes: f64([1.1, -1e30, 1e-50]) },
    { name: 'i64', dtype: 'I64', shape: [3], bytes: i64([-1n, 2147483647n, -2147483648n]) },
    { name: 'i8', dtype: 'I8', shape: [2], bytes: new Uint8Array([0x80, 0x7f]) },
    { name: 'u8', dtype: 'U8', shape: [2], bytes: new Uint8Array([255, 0]) },
    { name: 'bool', dtype: 'BOOL', shape: [2, 1], bytes: new Uint8Array([1, 0]) },
    { name: 'i16', dtype: 'I16', shape: [2], bytes: i16([-32768, 32767]) },
    { name: 'u16', dtype: 'U16', shape: [1], bytes: u16([65535]) },
    { name: 'u32', dtype: 'U32', shape: [1], bytes: u32([2147483647]) },
    { name: 'u64', dtype: 'U64', shape: [1], bytes: u64([5n]) },
  ]);
  const { tensors, storedDtypes } = decodeSafetensors(file);
  assert.deepEqual(tensors.f16, { dtype: 'float32', shape: [8], data: new Float32Array([1, -2, 0.5, 65504, 2 ** -24, -0, Infinity, NaN]) });
  assert.ok(Object.is(tensors.f16.data[5], -0));
  assert.deepEqual(tensors.bf16.data, new Float32Array([1, -2.5, 3.140625]));
  assert.deepEqual(tensors.f64.data, new Float32Array([Math.fround(1.1), Math.fround(-1e30), 0]));
  assert.deepEqual(tensors.i64, { dtype: 'int32', shape: [3], data: new Int32Array([-1, 2147483647, -2147483648]) });
  assert.deepEqual(tensors.i8.data, new Int32Array([-128, 127]));
  assert.deepEqual(tensors.u8.data, new Int32Array([255, 0]));
  assert.deepEqual(tensors.bool, { dtype: 'int32', shape: [2, 1], data: new Int32Array([1, 0]) });
  assert.deepEqual(tensors.i16.data, new Int32Array([-32768, 32767]));
  assert.deepEqual(tensors.u16.data, new Int32Array([65535]));
  assert.deepEqual(tensors.u32.data, new Int32Array([2147483647]));
  assert.deepEqual(tensors.u64.data, new Int32Array([5]));
  assert.equal(storedDtypes.bf16, 'BF16');
  assert.equal(storedDtypes.i64, 'I64');
});

test('decoder refuses values that do not convert, naming the tensor', () => {
  const one = (name: string, dtype: string, bytes: Uint8Array) => () => decodeSafetensors(buildFile([{ name, dtype, shape: [bytes.length / sizeOf(dtype)], bytes }]));
  assert.throws(one('ids', 'I64', i64([0n, 2147483648n])), /tensor "ids": I64 value 2147483648 at index 1 does not fit in int32/);
  assert.throws(one('ids', 'I64', i64([-2147483649n])), /tensor "ids": I64 value -2147483649 at index 0/);
  assert.throws(one('big', 'U64', u64([2n ** 40n])), /tensor "big": U64 value 1099511627776 at index 0/);
  assert.throws(one('u', 'U32', u32([2147483648])), /tensor "u": U32 value 2147483648 at index 0/);
  assert.throws(one('mask', 'BOOL', new Uint8Array([1, 2])), /tensor "mask": BOOL byte 2 at index 1/);
  assert.throws(one('huge', 'F64', f64([1, 1e300])), /tensor "huge": F64 value 1e\+300 at index 1 is beyond the float32 range/);
  assert.throws(one('q', 'F8_E4M3', new Uint8Array([1])), /tensor "q": dtype F8_E4M3 cannot be converted/);
  // Infinity in F64 is a value, not an overflow.
  assert.deepEqual(decodeSafetensors(buildFile([{ name: 'x', dtype: 'F64', shape: [1], bytes: f64([-Infinity]) }])).tensors.x.data, new Float32Array([-Infinity]));
});

function sizeOf(dtype: string): number {
  return { I64: 8, U64: 8, F64: 8, U32: 4, BOOL: 1, F8_E4M3: 1 }[dtype] ?? 1;
}

test('decoder reports every malformed file precisely', () => {
  const good = { name: 'w', dtype: 'F32', shape: [2], bytes: f32([1, 2]) };
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /file is 5 bytes, too short for the 8-byte header length/],
    ['length past end', (() => { const b = buildFile([good]); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(),
      /header length 1000 runs past the end of the file \(72 bytes, 64 after the length field\)/],
    ['length beyond limit', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true); return b; })(),
      /header length 9223372036854775808 exceeds the limit/],
    ['invalid utf-8', (() => { const b = assemble('{"\u00e9":1}'); b[10] = 0xff; return b; })(), /header is not valid UTF-8/],
    ['not an object start', assemble('  {}'), /header must start with "\{"/],
    ['invalid json', assemble('{"w":{"dtype":"F32",}}'), /header is not valid JSON/],
    ['duplicate key', assemble('{"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'), /duplicate key "w"/],
    ['duplicate escaped key', assemble('{"__metadata__":{"a":"1","\\u0061":"2"}}'), /duplicate key "a"/],
    ['metadata value', buildFile([good], { epoch: 3 }), /metadata "epoch" is number 3, expected a string/],
    ['metadata kind', buildFile([good], ['x'] as never), /"__metadata__" must be an object of strings, found an array/],
    ['unknown dtype', buildFile([{ ...good, name: 'emb', dtype: 'F128' }]), /tensor "emb": unknown dtype "F128"/],
    ['entry not object', assemble('{"w":[1]}'), /tensor "w": entry must be an object/],
    ['bad shape', buildFile([{ ...good, shape: [2, -1] }]), /tensor "w": shape \[2,-1\] must be an array of non-negative integers/],
    ['fractional shape', buildFile([{ ...good, shape: [1.5] }]), /tensor "w": shape \[1.5\]/],
    ['bad offsets', buildFile([{ ...good, offsets: [0] as never }]), /tensor "w": data_offsets \[0\] must be two/],
    ['reversed offsets', buildFile([{ ...good, offsets: [8, 0] }]), /tensor "w": data_offsets \[8,0\] end before they begin/],
    ['size mismatch', buildFile([{ ...good, shape: [3] }]), /tensor "w": shape \[3\] of F32 needs 12 bytes, data_offsets \[0,8\] hold 8/],
    ['past buffer', buildFile([{ ...good, offsets: [4, 12] }]), /tensor "w": data_offsets \[4,12\] exceed the byte buffer of 8 bytes/],
    ['overlap', buildFile([good, { name: 'v', dtype: 'F32', shape: [1], bytes: f32([3]), offsets: [4, 8] }], undefined, new Uint8Array(4)),
      /tensor "v" data_offsets \[4,8\] overlap tensor "w" \[0,8\]/],
    ['hole in middle', buildFile([good, { name: 'v', dtype: 'F32', shape: [1], bytes: f32([3]), offsets: [12, 16] }], undefined, new Uint8Array(4)),
      /tensor "v" data_offsets \[12,16\] leave a hole of 4 bytes after tensor "w" \[0,8\]/],
    ['hole at start', buildFile([{ ...good, offsets: [4, 12] }], undefined, new Uint8Array(4)),
      /tensor "w" data_offsets \[4,12\] leave a hole of 4 bytes at the start of the byte buffer/],
    ['trailing bytes', buildFile([good], undefined, new Uint8Array(8)),
      /byte buffer has 16 bytes but tensors cover 8: 8 bytes left over after tensor "w" \[0,8\]/],
  ];
  for (const [label, bytes, pattern] of cases) {
    assert.throws(() => decodeSafetensors(bytes), (e: Error) => {
      assert.match(e.message, /^decodeSafetensors: /, label);
      assert.match(e.message, pattern, label);
      return true;
    }, label);
  }
});

test('zero-byte tensors may share an offset with the next tensor', () => {
  const file = buildFile([
    { name: 'a', dtype: 'F32', shape: [1], bytes: f32([1]) },
    { name: 'e', dtype: 'I32', shape: [0], bytes: new Uint8Array(0) },
    { name: 'b', dtype: 'I32', shape: [1], bytes: i32([2]) },
  ]);
  const { tensors } = decodeSafetensors(file);
  assert.deepEqual(tensors.e, { dtype: 'int32', shape: [0], data: new Int32Array(0) });
  assert.deepEqual(parseSafetensorsHeader(file).entries.map((e) => e.name), ['a', 'e', 'b']);
});

test('a tensor named __proto__ is stored as data, not as a prototype', () => {
  const file = buildFile([{ name: '__proto__', dtype: 'F32', shape: [1], bytes: f32([4]) }]);
  const { tensors } = decodeSafetensors(file);
  assert.deepEqual(Object.keys(tensors), ['__proto__']);
  assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  assert.deepEqual(encodeSafetensors(tensors), file);
});

test('encoder rejects what it cannot write', () => {
  const w = (t: object) => ({ w: t }) as unknown as NamedArrays;
  assert.throws(() => encodeSafetensors(w({ dtype: 'float32', shape: [2], data: new Int32Array(2) })), /encodeSafetensors: tensor "w": dtype float32 needs a Float32Array, found Int32Array/);
  assert.throws(() => encodeSafetensors(w({ dtype: 'int32', shape: [2], data: new Float32Array(2) })), /tensor "w": dtype int32 needs an Int32Array/);
  assert.throws(() => encodeSafetensors(w({ dtype: 'float64', shape: [1], data: new Float64Array(1) })), /tensor "w": dtype "float64" cannot be written/);
  assert.throws(() => encodeSafetensors(w({ dtype: 'float32', shape: [2, 2], data: new Float32Array(3) })), /tensor "w": shape \[2,2\] has 4 elements but data has 3/);
  assert.throws(() => encodeSafetensors(w({ dtype: 'float32', shape: [-1], data: new Float32Array(0) })), /tensor "w": shape \[-1\] has dimension -1/);
  assert.throws(() => encodeSafetensors({ __metadata__: { dtype: 'float32', shape: [], data: new Float32Array(1) } }), /"__metadata__" is reserved/);
  assert.throws(() => encodeSafetensors({}, { step: 3 } as never), /encodeSafetensors: metadata "step" is number 3, expected a string/);
  assert.throws(() => encodeSafetensors({ ['bad\uD800']: { dtype: 'float32', shape: [], data: new Float32Array(1) } }), /lone surrogate/);
});
