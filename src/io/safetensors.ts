// The safetensors format (huggingface/safetensors), read and written in memory.
//
//   8 bytes   N, unsigned 64-bit little-endian: the header length
//   N bytes   UTF-8 JSON object, starting with `{`, padded at the end with spaces (0x20):
//             { "__metadata__": {string: string}, "<name>": {"dtype","shape","data_offsets":[begin,end]}, ... }
//   rest      the byte buffer; data_offsets are relative to its start, end exclusive
//
// Writing follows the reference implementation byte for byte: the header is compact JSON with
// `__metadata__` first and tensors in buffer order; tensors are ordered by descending dtype
// alignment and then by name (so F32 before I32), which keeps the file deterministic; the header
// is padded so that the buffer starts at a multiple of 8. Elements are little-endian, row-major.
//
// Reading accepts any valid file and converts to the two dtypes the library computes with:
//   F32                    -> float32, exact
//   F16, BF16              -> float32, exact (every value is representable)
//   F64                    -> float32, rounded to nearest; a finite value beyond float32's range
//                             is an error (it would silently become Infinity)
//   I32                    -> int32, exact
//   I8, I16, U8, U16       -> int32, exact
//   BOOL                   -> int32 0/1; a byte other than 0 or 1 is an error
//   I64, U32, U64          -> int32 when every value fits in [-2^31, 2^31-1], else an error
//   F8_E5M2, F8_E4M3       -> error (no conversion is defined here)
//   any other dtype string -> error (unknown dtype)
// No node: imports: this runs in the browser as well.

import { formatShape, numel, type NamedArray, type NamedArrays } from './named-arrays.js';

/** Dtype names of the safetensors format, in the reference's increasing-alignment order. */
export const SAFETENSORS_DTYPES = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
] as const;

/** A dtype name as written in a safetensors header. */
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The reference rejects larger headers to bound JSON parsing; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** One header entry, with offsets relative to the start of the byte buffer. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  dataOffsets: [number, number];
}

/** A parsed and validated header: entries in buffer order, and where the byte buffer starts. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Absolute offset of the byte buffer in the file (8 + header length). */
  bufferStart: number;
}

/** Result of {@link decodeSafetensors}. */
export interface DecodedSafetensors {
  tensors: NamedArrays;
  metadata: Record<string, string>;
  /** The dtype each tensor had in the file, before conversion. */
  storedDtypes: Record<string, SafetensorsDtype>;
}

/** Bytes in any of the forms a browser or Node hands out. */
export type ByteSource = Uint8Array | ArrayBuffer | DataView;

/**
 * Serialises named float32/int32 arrays (and optional string metadata) to safetensors bytes.
 * Layout is deterministic: float32 tensors first, then int32, each group ordered by name.
 */
export function encodeSafetensors(tensors: NamedArrays, metadata?: Record<string, string>): Uint8Array {
  const fn = 'encodeSafetensors';
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new Error(`${fn}: metadata "${key}" is ${describe(value)}, expected a string`);
      }
      checkWellFormed(fn, 'metadata key', key);
      checkWellFormed(fn, `metadata "${key}" value`, value);
    }
  }
  const items = Object.entries(tensors).map(([name, t]) => {
    checkArray(fn, name, t);
    return { name, t, dtype: (t.dtype === 'float32' ? 'F32' : 'I32') as SafetensorsDtype };
  });
  // Reference order: descending dtype alignment, then name by code point (= UTF-8 byte order).
  const rank = (d: SafetensorsDtype) => SAFETENSORS_DTYPES.indexOf(d);
  items.sort((a, b) => rank(b.dtype) - rank(a.dtype) || compareCodePoints(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const { name, t, dtype } of items) {
    const end = offset + t.data.byteLength;
    // Built by hand: JSON.stringify on an object would move integer-like names to the front.
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new Error(`${fn}: header of ${headerLength} bytes exceeds the limit of ${MAX_HEADER_BYTES}`);
  }

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const { t } of items) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else if (t.data instanceof Float32Array) {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setInt32(at + 4 * i, t.data[i], true);
    }
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Parses and validates a safetensors header without converting any data: header length within
 * the file, UTF-8 JSON object, no duplicate keys, string-only metadata, known dtypes, shapes and
 * offsets that agree, tensors tiling the byte buffer exactly (no hole, no overlap, nothing past
 * its end, nothing left over).
 */
export function parseSafetensorsHeader(source: ByteSource): SafetensorsHeader {
  const fn = 'decodeSafetensors';
  const bytes = toBytes(source);
  if (bytes.length < 8) {
    throw new Error(`${fn}: file is ${bytes.length} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) {
    throw new Error(`${fn}: header length ${n64} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const n = Number(n64);
  if (8 + n > bytes.length) {
    throw new Error(`${fn}: header length ${n} runs past the end of the file (${bytes.length} bytes, ${bytes.length - 8} after the length field)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new Error(`${fn}: header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) {
    throw new Error(`${fn}: header must start with "{", found ${JSON.stringify(text.slice(0, 8))}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fn}: header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(parsed)) {
    throw new Error(`${fn}: header must be a JSON object, found ${describe(parsed)}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw new Error(`${fn}: header has duplicate key "${duplicate}"`);

  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === METADATA_KEY) {
      if (!isPlainObject(value)) throw new Error(`${fn}: "${METADATA_KEY}" must be an object of strings, found ${describe(value)}`);
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new Error(`${fn}: metadata "${k}" is ${describe(v)}, expected a string`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    entries.push(parseEntry(fn, name, value, bufferLength));
  }

  // Sorting by (begin, end) puts zero-byte tensors sharing an offset before the one that fills it.
  const sorted = [...entries].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let previous: SafetensorsEntry | undefined;
  for (const e of sorted) {
    const [begin] = e.dataOffsets;
    if (begin < covered) {
      throw new Error(`${fn}: tensor "${e.name}" data_offsets ${formatShape(e.dataOffsets)} overlap tensor "${previous!.name}" ${formatShape(previous!.dataOffsets)}`);
    }
    if (begin > covered) {
      const after = previous ? `after tensor "${previous.name}" ${formatShape(previous.dataOffsets)}` : 'at the start of the byte buffer';
      throw new Error(`${fn}: tensor "${e.name}" data_offsets ${formatShape(e.dataOffsets)} leave a hole of ${begin - covered} bytes ${after}`);
    }
    covered = e.dataOffsets[1];
    previous = e;
  }
  if (covered !== bufferLength) {
    const last = previous ? `after tensor "${previous.name}" ${formatShape(previous.dataOffsets)}` : '(no tensors)';
    throw new Error(`${fn}: byte buffer has ${bufferLength} bytes but tensors cover ${covered}: ${bufferLength - covered} bytes left over ${last}`);
  }
  return { entries: sorted, metadata, bufferStart };
}

/**
 * Decodes and fully validates safetensors bytes (see {@link parseSafetensorsHeader}), converting
 * each tensor to float32 or int32 as documented at the top of this file. Every error names the
 * tensor it concerns.
 */
export function decodeSafetensors(source: ByteSource): DecodedSafetensors {
  const bytes = toBytes(source);
  const header = parseSafetensorsHeader(bytes);
  const tensors: NamedArrays = {};
  const storedDtypes: Record<string, SafetensorsDtype> = {};
  for (const e of header.entries) {
    const begin = header.bufferStart + e.dataOffsets[0];
    const end = header.bufferStart + e.dataOffsets[1];
    setOwn(tensors, e.name, convert(e, bytes.subarray(begin, end)));
    setOwn(storedDtypes, e.name, e.dtype);
  }
  return { tensors, metadata: header.metadata, storedDtypes };
}

function parseEntry(fn: string, name: string, value: unknown, bufferLength: number): SafetensorsEntry {
  const where = `${fn}: tensor "${name}"`;
  if (!isPlainObject(value)) throw new Error(`${where}: entry must be an object, found ${describe(value)}`);
  // Other fields are ignored, as the reference does, so files from newer writers still load.
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new Error(`${where}: dtype is ${describe(dtype)}, expected a string`);
  if (!(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${SAFETENSORS_DTYPES.join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new Error(`${where}: data_offsets ${JSON.stringify(offsets)} must be two non-negative integers [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new Error(`${where}: data_offsets [${begin},${end}] end before they begin`);
  if (end > bufferLength) {
    throw new Error(`${where}: data_offsets [${begin},${end}] exceed the byte buffer of ${bufferLength} bytes`);
  }
  const d = dtype as SafetensorsDtype;
  const count = numel(shape as number[], where);
  const expected = count * ITEM_SIZE[d];
  if (!Number.isSafeInteger(expected) || expected !== end - begin) {
    throw new Error(`${where}: shape ${formatShape(shape as number[])} of ${d} needs ${expected} bytes, data_offsets [${begin},${end}] hold ${end - begin}`);
  }
  return { name, dtype: d, shape: [...(shape as number[])], dataOffsets: [begin, end] };
}

function convert(e: SafetensorsEntry, raw: Uint8Array): NamedArray {
  const where = `decodeSafetensors: tensor "${e.name}"`;
  const shape = e.shape;
  const count = raw.length / ITEM_SIZE[e.dtype];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const floats = (read: (i: number) => number): NamedArray => {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = read(i);
    return { dtype: 'float32', shape, data };
  };
  const ints = (read: (i: number) => number): NamedArray => {
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = read(i);
    return { dtype: 'int32', shape, data };
  };
  const outOfRange = (i: number, value: bigint | number): never => {
    throw new Error(`${where}: ${e.dtype} value ${value} at index ${i} does not fit in int32`);
  };
  switch (e.dtype) {
    case 'F32':
      if (LITTLE_ENDIAN_HOST) return { dtype: 'float32', shape, data: new Float32Array(copyBytes(raw)) };
      return floats((i) => view.getFloat32(4 * i, true));
    case 'I32':
      if (LITTLE_ENDIAN_HOST) return { dtype: 'int32', shape, data: new Int32Array(copyBytes(raw)) };
      return ints((i) => view.getInt32(4 * i, true));
    case 'F16':
      return floats((i) => halfToFloat(view.getUint16(2 * i, true)));
    case 'BF16': {
      const u32 = new Uint32Array(1);
      const f32 = new Float32Array(u32.buffer);
      return floats((i) => {
        u32[0] = view.getUint16(2 * i, true) << 16;
        return f32[0];
      });
    }
    case 'F64':
      return floats((i) => {
        const v = view.getFloat64(8 * i, true);
        const f = Math.fround(v);
        if (Number.isFinite(v) && !Number.isFinite(f)) {
          throw new Error(`${where}: F64 value ${v} at index ${i} is beyond the float32 range`);
        }
        return f;
      });
    case 'I8':
      return ints((i) => view.getInt8(i));
    case 'U8':
      return ints((i) => view.getUint8(i));
    case 'BOOL':
      return ints((i) => {
        const b = view.getUint8(i);
        if (b > 1) throw new Error(`${where}: BOOL byte ${b} at index ${i} is neither 0 nor 1`);
        return b;
      });
    case 'I16':
      return ints((i) => view.getInt16(2 * i, true));
    case 'U16':
      return ints((i) => view.getUint16(2 * i, true));
    case 'U32':
      return ints((i) => {
        const v = view.getUint32(4 * i, true);
        return v > 0x7fffffff ? outOfRange(i, v) : v;
      });
    case 'I64':
      return ints((i) => {
        const lo = view.getInt32(8 * i, true);
        const hi = view.getInt32(8 * i + 4, true);
        // In range exactly when the high word is the sign extension of the low word.
        return hi === lo >> 31 ? lo : outOfRange(i, view.getBigInt64(8 * i, true));
      });
    case 'U64':
      return ints((i) => {
        const lo = view.getUint32(8 * i, true);
        const hi = view.getUint32(8 * i + 4, true);
        return hi === 0 && lo <= 0x7fffffff ? lo : outOfRange(i, view.getBigUint64(8 * i, true));
      });
    case 'F8_E5M2':
    case 'F8_E4M3':
      throw new Error(`${where}: dtype ${e.dtype} cannot be converted to float32 or int32`);
  }
}

/**
 * A fresh, aligned copy. Not `raw.slice()`: on a Node Buffer that is a view sharing its (pooled)
 * memory, not a copy.
 */
function copyBytes(raw: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return copy.buffer;
}

/** IEEE 754 binary16 bits to a number (exact). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function checkArray(fn: string, name: string, t: NamedArray): void {
  if (name === METADATA_KEY) throw new Error(`${fn}: "${METADATA_KEY}" is reserved and cannot name a tensor`);
  checkWellFormed(fn, 'tensor name', name);
  const where = `${fn}: tensor "${name}"`;
  if (t === null || typeof t !== 'object') throw new Error(`${where}: expected {dtype, shape, data}, found ${describe(t)}`);
  if (t.dtype === 'float32') {
    if (!(t.data instanceof Float32Array)) throw new Error(`${where}: dtype float32 needs a Float32Array, found ${describe(t.data)}`);
  } else if (t.dtype === 'int32') {
    if (!(t.data instanceof Int32Array)) throw new Error(`${where}: dtype int32 needs an Int32Array, found ${describe(t.data)}`);
  } else {
    throw new Error(`${where}: dtype ${JSON.stringify(t.dtype)} cannot be written (float32 or int32 only)`);
  }
  if (!Array.isArray(t.shape)) throw new Error(`${where}: shape ${describe(t.shape)} is not an array`);
  const count = numel(t.shape, where);
  if (count !== t.data.length) {
    throw new Error(`${where}: shape ${formatShape(t.shape)} has ${count} elements but data has ${t.data.length}`);
  }
}

function checkWellFormed(fn: string, what: string, s: string): void {
  if (LONE_SURROGATE.test(s)) throw new Error(`${fn}: ${what} ${JSON.stringify(s)} is not valid Unicode (lone surrogate)`);
}

/** Orders strings by Unicode code point, which matches UTF-8 byte order (the reference's order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Returns the first key that occurs twice in one object of already-valid JSON text, if any.
 * JSON.parse keeps the last silently, but the format forbids duplicates.
 */
function findDuplicateKey(text: string): string | undefined {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = stack[stack.length - 1];
      let k = j + 1;
      while (k < text.length && ' \t\n\r'.includes(text[k])) k++;
      if (keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = j;
    }
  }
  return undefined;
}

function toBytes(source: ByteSource): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (source instanceof DataView) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  throw new Error(`decodeSafetensors: expected Uint8Array, ArrayBuffer or DataView, found ${describe(source)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Defines an own property, so a key such as "__proto__" is stored rather than changing the prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}
