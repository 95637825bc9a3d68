/**
 * The op tests' gradient check: PyTorch's float64 gradcheck (src/autograd/gradcheck.ts) and, when
 * the suite runs on another backend than the reference one (test/native/engine-suites.test.ts),
 * a float32 comparison of that backend's forward values and gradients with the reference
 * kernels' on the same inputs. float64 work always runs on the reference kernels, so without the
 * second half a native backward kernel would go unchecked.
 */
import assert from 'node:assert/strict';
import { gradcheck as gradcheck64, type GradcheckOptions } from '../../src/autograd/gradcheck.js';
import { backward } from '../../src/autograd/engine.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { getBackend, withBackend } from '../../src/backend/registry.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Tolerance of the float32 backend comparison (both sides round to float32 in different orders). */
const F32 = { atol: 1e-4, rtol: 1e-3 };

export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): { maxAbsErr: number } {
  const result = gradcheck64(f, inputs, opts);
  if (getBackend().name !== jsBackend.name) compareWithReference(f, inputs);
  return result;
}

/** Same layout (strides, offset), float32 storage: non-contiguous inputs stay non-contiguous. */
function float32Copy(x: Tensor): Tensor {
  if (x.dtype !== 'float64') return x;
  return new Tensor(Float32Array.from(x.data), x.shape.slice(), x.strides.slice(), x.offset);
}

function run(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): { out: ArrayLike<number>; grads: (ArrayLike<number> | null)[] } {
  const xs = inputs.map(float32Copy);
  for (const x of xs) if (x.dtype === 'float32') x.requiresGrad = true;
  const out = f(...xs);
  const w = new Float32Array(out.size);
  for (let i = 0; i < w.length; i++) w[i] = ((i * 7) % 11) / 11 - 0.45;
  backward(out, new Tensor(w, out.shape.slice()));
  return { out: out.values(), grads: xs.map((x) => (x.grad ? x.grad.values() : null)) };
}

function compareWithReference(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const name = getBackend().name;
  const got = run(f, inputs);
  const want = withBackend(jsBackend, () => run(f, inputs));
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
    assert.equal(a.length, b.length, `${what}: length`);
    for (let i = 0; i < b.length; i++) {
      const ok = Number.isNaN(b[i]) ? Number.isNaN(a[i]) : Math.abs(a[i] - b[i]) <= F32.atol + F32.rtol * Math.abs(b[i]);
      if (!ok) assert.fail(`${what}: element ${i}: ${name} ${a[i]} vs reference ${b[i]} (float32)`);
    }
  };
  close(got.out, want.out, 'forward');
  got.grads.forEach((g, k) => {
    const r = want.grads[k];
    assert.equal(g === null, r === null, `gradient of input ${k}: present on one backend only`);
    if (g && r) close(g, r, `gradient of input ${k}`);
  });
}
