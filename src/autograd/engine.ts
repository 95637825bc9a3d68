import type { Tensor } from '../tensor/tensor.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { checkBackward, checkForward, isAnomalyEnabled } from './anomaly.js';
import { isGradEnabled, noGrad } from './grad-mode.js';
import { accumulate, accumulateContiguous, addInto, castTo, onesLike } from './helpers.js';

/**
 * Attaches a backward rule to `out` when any input needs gradients and recording is on.
 * Ops call this right after computing their forward value, so forward and backward sit together.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor, into: readonly (Tensor | null)[]) => readonly (Tensor | null | undefined)[],
): Tensor {
  if (!isGradEnabled()) return out;
  let needs = false;
  for (const t of inputs) if (t.requiresGrad) { needs = true; break; }
  if (!needs) return out;
  out.requiresGrad = true;
  out.gradFn = { name, inputs, backward };
  if (isAnomalyEnabled()) checkForward(name, out, inputs);
  return out;
}

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. */
  retainGraph?: boolean;
}

/**
 * Reverse-mode differentiation from `root`. Gradients accumulate into `.grad` of leaves that
 * require them (and of non-leaves that called retainGrad()).
 */
export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require gradients (no input had requiresGrad, or it was computed inside noGrad)');
  }
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: gradient can be implicitly created only for one-element outputs; got shape ${fmtShape(root.shape)} (pass a gradient)`);
    }
    grad = onesLike(root);
  } else if (!shapesEqual(grad.shape, root.shape)) {
    throw new Error(`backward: gradient shape ${fmtShape(grad.shape)} does not match output shape ${fmtShape(root.shape)}`);
  } else {
    grad = castTo(grad, root.dtype);
  }
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>();
  // Sums this pass allocated itself: safe to add further contributions into in place.
  const owned = new Set<Tensor>();
  grads.set(root, grad);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      let g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      // a sum this pass allocated is referenced by nothing else, so a leaf can keep it as .grad
      let exclusive = owned.delete(g);
      if (t.hooks) {
        exclusive = false;
        for (const h of t.hooks) {
          const r = h(g);
          if (r) g = r;
        }
      }
      const node = t.gradFn;
      if (node === null) {
        // .grad is always contiguous: optimizers pair it element by element with the parameter
        if (t.requiresGrad) t.grad = t.grad ? accumulateContiguous(t.grad, g) : exclusive && g.isContiguous() && g.offset === 0 ? g : detachedCopy(g);
        continue;
      }
      if (t.retainsGrad) t.grad = t.grad ? accumulateContiguous(t.grad, g) : detachedCopy(g);
      if (node.backward === null) {
        throw new Error(
          `backward: trying to go through the graph of '${node.name}' a second time; its buffers were freed. ` +
            'Pass { retainGraph: true } to the first backward call.',
        );
      }
      const inGrads = node.backward(g, runningSums(node.inputs, grads, owned));
      if (!options.retainGraph) node.backward = null;
      for (let k = 0; k < node.inputs.length; k++) {
        const inp = node.inputs[k];
        let ig = inGrads[k];
        if (!inp.requiresGrad || ig === null || ig === undefined) continue;
        // an op that promoted a float32 input to float64 hands back a float64 gradient: a
        // gradient always has its input's dtype (as in torch)
        if (ig.dtype !== inp.dtype) ig = castTo(ig, inp.dtype);
        if (isAnomalyEnabled()) checkBackward(node.name, ig, k, g);
        if (!shapesEqual(ig.shape, inp.shape)) {
          throw new Error(
            `backward: op '${node.name}' returned a gradient of shape ${fmtShape(ig.shape)} for input ${k} of shape ${fmtShape(inp.shape)}`,
          );
        }
        const prev = grads.get(inp);
        if (ig === prev) continue; // the rule added its contribution into the running sum itself
        if (!prev) grads.set(inp, ig);
        else if (!(owned.has(prev) && addInto(prev, ig))) {
          const sum = accumulate(prev, ig);
          owned.add(sum);
          grads.set(inp, sum);
        }
      }
    }
  });
}

/** Iterative DFS (deep RNN graphs would overflow a recursive one). Returns inputs before outputs. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, k] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (k < inputs.length) {
      top[1] = k + 1;
      const c = inputs[k];
      if (c.requiresGrad && !visited.has(c)) {
        visited.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

const NO_SUMS: readonly (Tensor | null)[] = [];

/**
 * The running sums a backward rule may add into (see GradNode.backward): per input, the sum this
 * pass owns when it is contiguous, else null. Most nodes have none, and get one shared empty list.
 */
function runningSums(inputs: readonly Tensor[], grads: Map<Tensor, Tensor>, owned: Set<Tensor>): readonly (Tensor | null)[] {
  let into: (Tensor | null)[] | null = null;
  for (let k = 0; k < inputs.length; k++) {
    const prev = grads.get(inputs[k]);
    if (prev === undefined || !owned.has(prev) || !prev.isContiguous() || prev.offset !== 0) continue;
    into ??= new Array<Tensor | null>(inputs.length).fill(null);
    into[k] = prev;
  }
  return into ?? NO_SUMS;
}

function detachedCopy(g: Tensor): Tensor {
  // A gradient may alias storage of another tensor (e.g. an expand view); .grad must own its data.
  return accumulateContiguous(null, g);
}
