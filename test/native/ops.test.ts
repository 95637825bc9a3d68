import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool2dGeometry, Storage, View } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { getNumThreads, nativeBackend, nativeAddon, setNumThreads } from '../../src/backend/native/index-node.js';
import { Generator, randomArray, skipNative } from './native-helpers.js';

const native = () => nativeBackend!;
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Exact equality, element by element, with NaN equal to NaN (payloads aside). */
function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
      assert.fail(`${what}: element ${i} native ${got[i]} vs reference ${want[i]}`);
    }
  }
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 2e-6, abs = 1e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i])
      : !Number.isFinite(want[i]) ? got[i] === want[i] : Math.abs(got[i] - want[i]) <= abs + rel * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}: element ${i} native ${got[i]} vs reference ${want[i]}`);
  }
}

/** Runs `fn` with the pool at 1 and at 2 threads: the parallel split must not change a bit. */
function onThreads(fn: (threads: number) => void): void {
  const saved = getNumThreads();
  try {
    for (const t of [1, 2]) {
      setNumThreads(t);
      fn(t);
    }
  } finally {
    setNumThreads(saved);
  }
}

// ---- lstmCell -------------------------------------------------------------------------------------

test('lstmCell and its backward match the reference on odd sizes, large gates and NaN', { skip: skipNative }, () => {
  const gen = new Generator(41);
  onThreads((threads) => {
    for (const [b, h] of [[1, 1], [1, 3], [3, 17], [2, 33], [64, 512], [1, 1000], [5, 7], [0, 4], [4, 0]]) {
      const gates = randomArray(b * 4 * h, gen).map((v) => v * 6);
      if (gates.length > 40) { gates[3] = 30; gates[5] = -30; gates[7] = 100; gates[9] = -100; gates[11] = 1e-8; gates[13] = NaN; }
      const c = randomArray(b * h, gen).map((v) => v * 3);
      const hcN = new Float32Array(b * 2 * h), hcJ = new Float32Array(b * 2 * h);
      const svN = new Float32Array(b * 5 * h), svJ = new Float32Array(b * 5 * h);
      native().lstmCell!(gates, c, b, h, hcN, svN);
      jsBackend.lstmCell!(gates, c, b, h, hcJ, svJ);
      const what = `lstmCell b=${b} h=${h} threads=${threads}`;
      assertClose(hcN, hcJ, `${what} hc`);
      assertClose(svN, svJ, `${what} saved`);
      const dhc = randomArray(b * 2 * h, gen);
      const dgN = new Float32Array(b * 4 * h).fill(NaN), dgJ = new Float32Array(b * 4 * h);
      const dcN = new Float32Array(b * h).fill(NaN), dcJ = new Float32Array(b * h);
      native().lstmCellBackward!(dhc, c, svJ, b, h, dgN, dcN);
      jsBackend.lstmCellBackward!(dhc, c, svJ, b, h, dgJ, dcJ);
      assertClose(dgN, dgJ, `${what} dgates`, 1e-6, 1e-7);
      assertClose(dcN, dcJ, `${what} dc`, 1e-6, 1e-7);
    }
  });
});

test('lstmCell rejects arrays shorter than b and h imply', { skip: skipNative }, () => {
  const z = (n: number) => new Float32Array(n);
  assert.throws(() => native().lstmCell!(z(4 * 6), z(6), 2, 3, z(12), z(29)), /lstmCell: b=2 h=3 exceed the arrays.*saved 29/);
  assert.throws(() => native().lstmCellBackward!(z(12), z(6), z(30), 2, 3, z(24), z(5)), /lstmCellBackward: b=2 h=3/);
});

// ---- copy / where / fill --------------------------------------------------------------------------

/** Views over one storage: offsets, transposes, broadcasts, flips, rank 0, empty dims, odd sizes. */
function layouts(data: Storage): View[] {
  return [
    { data, shape: [1000], strides: [1], offset: 3 },
    { data, shape: [3, 17, 33], strides: [561, 33, 1], offset: 5 },
    { data, shape: [33, 17], strides: [1, 33], offset: 2 },
    { data, shape: [17, 3, 33], strides: [33, 561, 1], offset: 0 },
    { data, shape: [3, 33, 17], strides: [561, 1, 33], offset: 1 },
    { data, shape: [20, 64, 40], strides: [40, 800, 1], offset: 0 },
    { data, shape: [64, 40, 20], strides: [800, 1, 40], offset: 0 },
    { data, shape: [4, 1000], strides: [0, 1], offset: 7 },
    { data, shape: [1000, 3], strides: [1, 0], offset: 0 },
    { data, shape: [1, 1000, 1], strides: [0, 2, 0], offset: 1 },
    { data, shape: [5, 6, 7, 2], strides: [84, 1, 6, 42], offset: 3 },
    { data, shape: [50, 40], strides: [-40, -1], offset: 1999 },
    { data, shape: [40, 50], strides: [-1, 40], offset: 39 },
    { data, shape: [], strides: [], offset: 11 },
    { data, shape: [0, 5], strides: [5, 1], offset: 0 },
    { data, shape: [7, 0, 3], strides: [0, 3, 1], offset: 0 },
    { data, shape: [300, 700], strides: [1, 300], offset: 0 },
  ];
}

test('copy matches the reference bit for bit for every dtype pair and layout', { skip: skipNative }, () => {
  const gen = new Generator(42);
  const f = randomArray(220_000, gen).map((v) => v * 1e3);
  const special = [NaN, Infinity, -Infinity, -0, 0.5, -0.5, 2.5, -2.99, 2147483647, 2147483648, -2147483648, -2147483904,
    4294967296, 6e9, -6e9, 1e20, -1e20, 3.4e38, 1e-40];
  special.forEach((v, i) => { f[i + 1] = v; f[i * 41 + 7] = v; });
  const ints = new Int32Array(220_000).map(() => Math.floor((gen.random() * 2 - 1) * 2 ** 31));
  ints[1] = 16777217; ints[2] = -16777219; ints[3] = 2147483647; ints[4] = -2147483648;
  onThreads((threads) => {
    for (const data of [f, ints] as Storage[]) {
      for (const x of layouts(data)) {
        for (const OutType of [Float32Array, Int32Array]) {
          const n = sizeOf(x.shape);
          const got = new OutType(n).fill(77), want = new OutType(n).fill(77);
          native().copy(x, got);
          jsBackend.copy(x, want);
          assertSame(got, want, `copy ${data.constructor.name}->${OutType.name} [${x.shape}] strides [${x.strides}] threads=${threads}`);
        }
      }
    }
  });
});

test('where matches the reference with float and int conditions, broadcast operands and NaN', { skip: skipNative }, () => {
  const gen = new Generator(43);
  const a = randomArray(70_000, gen), b = randomArray(70_000, gen);
  a[10] = NaN; b[11] = -0;
  const cf = randomArray(70_000, gen).map((v) => (v < -0.3 ? 0 : v < 0 ? -0 : v < 0.3 ? NaN : v));
  const ci = new Int32Array(70_000).map(() => (gen.random() < 0.5 ? 0 : Math.floor(gen.random() * 5) - 2));
  const shapes: [number[], number[], number[], number[]][] = [
    // shape, cond strides, a strides, b strides
    [[1000], [1], [1], [1]],
    [[64, 20, 40], [20, 1, 0], [800, 40, 1], [800, 40, 1]],
    [[64, 512], [512, 1], [512, 1], [0, 0]],
    [[33, 17], [1, 33], [17, 1], [0, 1]],
    [[3, 17, 33], [0, 33, 1], [561, 33, 1], [33, 0, 1]],
    [[17, 3], [3, 1], [1, 17], [0, 0]],
    [[], [], [], []],
    [[5, 0, 2], [0, 2, 1], [0, 2, 1], [0, 2, 1]],
    [[200, 300], [300, 1], [1, 200], [300, 1]],
  ];
  onThreads((threads) => {
    for (const cond of [cf, ci] as Storage[]) {
      for (const [shape, sc, sa, sb] of shapes) {
        const n = sizeOf(shape);
        const got = new Float32Array(n), want = new Float32Array(n);
        const views: [View, View, View] = [
          { data: cond, shape, strides: sc, offset: 2 }, { data: a, shape, strides: sa, offset: 1 }, { data: b, shape, strides: sb, offset: 3 },
        ];
        native().where(...views, got);
        jsBackend.where(...views, want);
        assertSame(got, want, `where ${cond.constructor.name} [${shape}] threads=${threads}`);
      }
    }
  });
});

test('fill converts like TypedArray.prototype.fill', { skip: skipNative }, () => {
  for (const value of [0, 1.5, -2.7, NaN, Infinity, -Infinity, 1e10, -3e9, 2 ** 32 + 5, 0.1, -0]) {
    for (const n of [0, 1, 17, 1000, (1 << 20) + 3]) {
      for (const T of [Float32Array, Int32Array]) {
        const got = new T(n).fill(9), want = new T(n).fill(9);
        native().fill(got, value);
        jsBackend.fill(want, value);
        assertSame(got, want, `fill ${T.name}(${n}) with ${value}`);
        if (n > 1000) {
          nativeAddon!.fill(got.subarray(0, 33), value);
          assertSame(got, want, `addon fill ${T.name} small`);
        }
      }
    }
  }
});

test('copy and where reject views outside their storage', { skip: skipNative }, () => {
  const d = new Float32Array(100);
  assert.throws(() => native().copy({ data: d, shape: [10, 11], strides: [10, 1], offset: 0 }, new Float32Array(110)), /copy: view out of bounds/);
  assert.throws(() => native().copy({ data: d, shape: [100], strides: [-1], offset: 50 }, new Float32Array(100)), /copy: view out of bounds/);
  const v: View = { data: d, shape: [10, 10], strides: [10, 1], offset: 0 };
  assert.throws(() => native().where(v, { ...v, offset: 1 }, v, new Float32Array(100)), /where: view out of bounds/);
});

// ---- gather / scatterAdd --------------------------------------------------------------------------

test('gather and scatterAdd match the reference for float and int storage, repeated indices', { skip: skipNative }, () => {
  const gen = new Generator(44);
  onThreads((threads) => {
    for (const [outer, n, inner, m] of [[1, 1, 1, 1], [3, 17, 33, 5], [1280, 8000, 1, 1], [64, 20, 512, 20], [2, 1000, 3, 1000],
      [1, 50, 1000, 100], [4, 3, 17, 0], [0, 3, 4, 2], [7, 1, 65, 3]]) {
      const idx = new Int32Array(outer * m * inner).map(() => Math.floor(gen.random() * Math.min(n, 7)));
      const xf = randomArray(outer * n * inner, gen);
      const xi = new Int32Array(outer * n * inner).map(() => Math.floor(gen.random() * 1e9) - 5e8);
      for (const x of [xf, xi] as Storage[]) {
        const T = x instanceof Int32Array ? Int32Array : Float32Array;
        const got = new T(outer * m * inner), want = new T(outer * m * inner);
        native().gather(x, outer, n, inner, idx, m, got);
        jsBackend.gather(x, outer, n, inner, idx, m, want);
        assertSame(got, want, `gather ${T.name} [${outer},${n},${inner}] m=${m} threads=${threads}`);
      }
      const src = randomArray(outer * m * inner, gen);
      const accN = randomArray(outer * n * inner, gen), accJ = accN.slice();
      native().scatterAdd(src, outer, n, inner, idx, m, accN);
      jsBackend.scatterAdd(src, outer, n, inner, idx, m, accJ);
      assertSame(accN, accJ, `scatterAdd [${outer},${n},${inner}] m=${m} threads=${threads}`);
    }
  });
});

test('gather rejects an out-of-range index naming it', { skip: skipNative }, () => {
  const idx = new Int32Array(200).fill(1);
  idx[150] = 10;
  assert.throws(() => native().gather(new Float32Array(2000), 2, 10, 10, idx, 10, new Float32Array(200)), /gather: index\[150\] = 10 out of range \[0, 10\)/);
  idx[150] = -1;
  assert.throws(() => native().scatterAdd(new Float32Array(200), 2, 10, 10, idx, 10, new Float32Array(200)), /scatterAdd: index\[150\] = -1/);
});

// ---- topk -----------------------------------------------------------------------------------------

test('topk matches the reference exactly: ties by lower index, NaN as the largest, ±0 and ±inf', { skip: skipNative }, () => {
  const gen = new Generator(45);
  onThreads((threads) => {
    for (const [rows, cols] of [[1, 1], [3, 17], [64, 1000], [2, 33], [5, 8000], [1, 3], [0, 10], [7, 300]]) {
      for (const coarse of [false, true]) {
        const x = randomArray(rows * cols, gen).map((v) => (coarse ? Math.round(v * 3) : v));
        const specials = [NaN, Infinity, -Infinity, -0, 0, NaN, Infinity];
        for (let i = 0; i < x.length; i += 13) x[i] = specials[(i / 13) % specials.length];
        for (const k of new Set([0, 1, 2, Math.min(5, cols), Math.min(17, cols), Math.min(300, cols), cols])) {
          for (const largest of [true, false]) {
            const vN = new Float32Array(rows * k), vJ = new Float32Array(rows * k);
            const iN = new Int32Array(rows * k), iJ = new Int32Array(rows * k);
            native().topk(x, rows, cols, k, largest, vN, iN);
            jsBackend.topk(x, rows, cols, k, largest, vJ, iJ);
            const what = `topk [${rows},${cols}] k=${k} largest=${largest} coarse=${coarse} threads=${threads}`;
            assertSame(iN, iJ, `${what} indices`);
            assertSame(vN, vJ, `${what} values`);
          }
        }
      }
    }
  });
});

test('topk rejects k larger than the row', { skip: skipNative }, () => {
  assert.throws(() => nativeAddon!.topk(new Float32Array(100), 10, 10, 11, true, new Float32Array(110), new Int32Array(110)), /topk: rows=10 cols=10 k=11/);
});

// ---- cumsum ---------------------------------------------------------------------------------------

test('cumsum matches the reference exactly on every axis layout', { skip: skipNative }, () => {
  const gen = new Generator(46);
  onThreads((threads) => {
    for (const [outer, r, inner] of [[1, 1, 1], [64, 1000, 1], [3, 17, 33], [1, 1000, 300], [5, 1, 7], [2, 3, 1000], [0, 4, 4], [100, 100, 10]]) {
      const x = randomArray(outer * r * inner, gen).map((v) => v * 100);
      if (x.length > 50) x[40] = NaN;
      const got = new Float32Array(x.length), want = new Float32Array(x.length);
      native().cumsum(x, outer, r, inner, got);
      jsBackend.cumsum(x, outer, r, inner, want);
      assertSame(got, want, `cumsum [${outer},${r},${inner}] threads=${threads}`);
    }
  });
});

// ---- pooling --------------------------------------------------------------------------------------

function geometry(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, ceil = false): Pool2dGeometry {
  const out = (size: number, k: number, s: number, p: number) => {
    let o = Math.floor((size + 2 * p - k + (ceil ? s - 1 : 0)) / s) + 1;
    if (ceil && (o - 1) * s >= size + p) o--;
    return Math.max(0, o);
  };
  return { n, c, h, w, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, outH: out(h, kh, sh, ph), outW: out(w, kw, sw, pw) };
}

test('max and average pooling and their gradients match the reference exactly', { skip: skipNative }, () => {
  const gen = new Generator(47);
  const geos = [
    geometry(2, 3, 8, 8, 2, 2, 2, 2, 0, 0), geometry(32, 16, 28, 28, 2, 2, 2, 2, 0, 0), geometry(1, 1, 17, 33, 3, 3, 1, 1, 1, 1),
    geometry(3, 5, 7, 9, 3, 2, 2, 3, 1, 1), geometry(2, 2, 5, 5, 2, 2, 2, 2, 0, 0, true), geometry(1, 3, 1, 1000, 1, 3, 1, 2, 0, 1),
    geometry(4, 2, 6, 6, 5, 5, 3, 3, 2, 2, true), geometry(0, 3, 4, 4, 2, 2, 2, 2, 0, 0), geometry(2, 1, 1, 1, 1, 1, 1, 1, 0, 0),
    geometry(2, 3, 7, 9, 2, 2, 2, 2, 0, 0), geometry(1, 2, 7, 9, 2, 2, 2, 2, 0, 0, true), geometry(1, 1, 84, 84, 2, 2, 2, 2, 0, 0),
  ];
  onThreads((threads) => {
    for (const g of geos) {
      const what = `pool ${JSON.stringify(g)} threads=${threads}`;
      const x = randomArray(g.n * g.c * g.h * g.w, gen).map((v) => Math.round(v * 4)); // ties
      for (let i = 5; i < x.length; i += 37) x[i] = NaN;
      const np = g.n * g.c * g.outH * g.outW;
      const oN = new Float32Array(np), oJ = new Float32Array(np), aN = new Int32Array(np), aJ = new Int32Array(np);
      native().maxPool2d(x, g, oN, aN);
      jsBackend.maxPool2d(x, g, oJ, aJ);
      assertSame(oN, oJ, `${what} max values`);
      assertSame(aN, aJ, `${what} argmax`);
      const dy = randomArray(np, gen);
      const dxN = randomArray(x.length, gen), dxJ = dxN.slice();
      native().maxPool2dBackward(dy, aJ, g, dxN);
      jsBackend.maxPool2dBackward(dy, aJ, g, dxJ);
      assertSame(dxN, dxJ, `${what} max backward`);
      for (const cip of [false, true]) {
        const pN = new Float32Array(np), pJ = new Float32Array(np);
        const xf = randomArray(x.length, gen);
        native().avgPool2d(xf, g, cip, pN);
        jsBackend.avgPool2d(xf, g, cip, pJ);
        assertSame(pN, pJ, `${what} avg cip=${cip}`);
        const gN = randomArray(x.length, gen), gJ = gN.slice();
        native().avgPool2dBackward(dy, g, cip, gN);
        jsBackend.avgPool2dBackward(dy, g, cip, gJ);
        assertSame(gN, gJ, `${what} avg backward cip=${cip}`);
      }
    }
  });
});

test('maxPool2dBackward rejects an argmax outside the plane', { skip: skipNative }, () => {
  const g = geometry(1, 1, 4, 4, 2, 2, 2, 2, 0, 0);
  const am = new Int32Array(4);
  am[2] = 16;
  assert.throws(() => native().maxPool2dBackward(new Float32Array(4), am, g, new Float32Array(16)), /maxPool2dBackward: argmax\[2\] = 16 out of range \[-1, 16\)/);
});
