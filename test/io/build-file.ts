// Hand-assembles safetensors bytes straight from the format description, independent of
// src/io/safetensors.ts, so tests can check the encoder against it and feed the decoder
// files the encoder would never write (other dtypes, broken headers).

/** A tensor to place in a hand-built file: header fields plus raw little-endian bytes. */
export interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
  /** Overrides the computed offsets, to build invalid files. */
  offsets?: [number, number];
}

/** Builds `u64 LE length | header JSON padded with spaces to a multiple of 8 | bytes`. */
export function buildFile(entries: RawEntry[], metadata?: Record<string, unknown>, extra = new Uint8Array(0)): Uint8Array {
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const e of entries) {
    const offsets = e.offsets ?? [offset, offset + e.bytes.length];
    parts.push(`${JSON.stringify(e.name)}:{"dtype":${JSON.stringify(e.dtype)},"shape":${JSON.stringify(e.shape)},"data_offsets":${JSON.stringify(offsets)}}`);
    offset += e.bytes.length;
  }
  return assemble(`{${parts.join(',')}}`, [...entries.map((e) => e.bytes), extra]);
}

/** Joins a header text (padded here) and data chunks into one file. */
export function assemble(header: string, chunks: Uint8Array[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const dataLength = chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(8 + padded + dataLength).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let at = 8 + padded;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Little-endian bytes of values written with a DataView setter of the given width. */
export function le(width: number, values: (number | bigint)[], set: (v: DataView, at: number, x: never) => void): Uint8Array {
  const out = new Uint8Array(width * values.length);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => set(view, i * width, x as never));
  return out;
}

export const f32 = (xs: number[]) => le(4, xs, (v, at, x) => v.setFloat32(at, x, true));
export const i32 = (xs: number[]) => le(4, xs, (v, at, x) => v.setInt32(at, x, true));
export const u16 = (xs: number[]) => le(2, xs, (v, at, x) => v.setUint16(at, x, true));
export const i16 = (xs: number[]) => le(2, xs, (v, at, x) => v.setInt16(at, x, true));
export const f64 = (xs: number[]) => le(8, xs, (v, at, x) => v.setFloat64(at, x, true));
export const i64 = (xs: bigint[]) => le(8, xs, (v, at, x) => v.setBigInt64(at, x, true));
export const u64 = (xs: bigint[]) => le(8, xs, (v, at, x) => v.setBigUint64(at, x, true));
export const u32 = (xs: number[]) => le(4, xs, (v, at, x) => v.setUint32(at, x, true));

/** Small seeded generator (mulberry32) so random cases are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
