import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import type { Parameter } from '../nn/parameter.js';

/** Hyperparameters of one group of parameters (lr and the optimizer's own options). */
export interface ParamGroup<O> {
  params: Parameter[];
  options: O & { lr: number };
}

export type ParamsArg<O> = Parameter[] | { params: Parameter[]; options?: Partial<O & { lr: number }> }[];

/** Per-parameter state: named float32 buffers plus a step count. */
export interface ParamState {
  step: number;
  buffers: Record<string, Float32Array>;
}

/** A serialisable optimizer state (tensors by `<paramIndex>.<buffer>`, scalars in JSON). */
export interface OptimizerStateDict {
  kind: string;
  groups: { options: Record<string, unknown>; params: number[] }[];
  steps: Record<string, number>;
  buffers: Record<string, Tensor>;
}

/**
 * Base class: parameter groups, zeroGrad, per-parameter state, state dicts. Subclasses implement
 * `update(param, grad, state, options)` on flat float32 arrays.
 */
export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[];
  protected readonly state = new Map<Parameter, ParamState>();

  constructor(readonly kind: string, params: ParamsArg<O>, defaults: O & { lr: number }) {
    const groups = Array.isArray(params) && params.length > 0 && !('params' in (params[0] as object))
      ? [{ params: params as Parameter[] }]
      : (params as { params: Parameter[]; options?: Partial<O & { lr: number }> }[]);
    if (groups.length === 0 || groups.every((g) => g.params.length === 0)) throw new Error(`${kind}: got an empty parameter list`);
    this.paramGroups = groups.map((g) => ({
      params: g.params,
      options: { ...defaults, ...(('options' in g && g.options) || {}) } as O & { lr: number },
    }));
    const seen = new Set<Parameter>();
    for (const g of this.paramGroups) {
      this.validate(g.options);
      for (const p of g.params) {
        if (seen.has(p)) throw new Error(`${kind}: a parameter appears in more than one group (shape ${fmtShape(p.shape)})`);
        seen.add(p);
      }
    }
  }

  /** Throws for invalid hyperparameters (negative lr, betas outside [0, 1) ...). */
  protected validate(o: O & { lr: number }): void {
    if (!(o.lr >= 0)) throw new Error(`${this.kind}: invalid learning rate ${o.lr}`);
  }

  protected abstract update(param: Float32Array, grad: Float32Array, state: ParamState, o: O & { lr: number }): void;

  /** Learning rate of the first group (convenience for logging). */
  get lr(): number {
    return this.paramGroups[0].options.lr;
  }

  set lr(v: number) {
    for (const g of this.paramGroups) g.options.lr = v;
  }

  step(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        let st = this.state.get(p);
        if (!st) {
          st = { step: 0, buffers: {} };
          this.state.set(p, st);
        }
        st.step++;
        const grad = p.grad.values() as Float32Array;
        if (!p.isDense()) throw new Error(`${this.kind}: parameter of shape ${fmtShape(p.shape)} is not dense`);
        this.update(p.data as Float32Array, grad, st, g.options);
      }
    }
  }

  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  protected buffer(st: ParamState, name: string, size: number): Float32Array {
    return (st.buffers[name] ??= new Float32Array(size));
  }

  stateDict(): OptimizerStateDict {
    const index = new Map<Parameter, number>();
    let i = 0;
    for (const g of this.paramGroups) for (const p of g.params) index.set(p, i++);
    const steps: Record<string, number> = {};
    const buffers: Record<string, Tensor> = {};
    for (const [p, st] of this.state) {
      const k = index.get(p)!;
      steps[k] = st.step;
      for (const [name, buf] of Object.entries(st.buffers)) buffers[`${k}.${name}`] = new Tensor(buf.slice(), p.shape.slice());
    }
    return {
      kind: this.kind,
      groups: this.paramGroups.map((g) => ({ options: { ...g.options }, params: g.params.map((p) => index.get(p)!) })),
      steps,
      buffers,
    };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.kind !== this.kind) throw new Error(`${this.kind}.loadStateDict: state was saved by ${sd.kind}`);
    if (sd.groups.length !== this.paramGroups.length) {
      throw new Error(`${this.kind}.loadStateDict: state has ${sd.groups.length} parameter groups, optimizer has ${this.paramGroups.length}`);
    }
    const params = this.paramGroups.flatMap((g) => g.params);
    sd.groups.forEach((g, gi) => {
      if (g.params.length !== this.paramGroups[gi].params.length) {
        throw new Error(`${this.kind}.loadStateDict: group ${gi} has ${g.params.length} parameters in the state, ${this.paramGroups[gi].params.length} here`);
      }
      Object.assign(this.paramGroups[gi].options, g.options);
    });
    this.state.clear();
    for (const [k, step] of Object.entries(sd.steps)) {
      const p = params[Number(k)];
      if (!p) throw new Error(`${this.kind}.loadStateDict: state refers to parameter ${k}, optimizer has ${params.length}`);
      this.state.set(p, { step, buffers: {} });
    }
    for (const [key, t] of Object.entries(sd.buffers)) {
      const dot = key.indexOf('.');
      const p = params[Number(key.slice(0, dot))];
      const st = p && this.state.get(p);
      if (!p || !st) throw new Error(`${this.kind}.loadStateDict: buffer ${key} has no parameter`);
      if (t.size !== p.size) throw new Error(`${this.kind}.loadStateDict: buffer ${key} has ${t.size} values, parameter has ${p.size} (shape ${fmtShape(p.shape)})`);
      st.buffers[key.slice(dot + 1)] = (t.values() as Float32Array).slice();
    }
  }

  /** Read access for diagnostics and tests: a parameter's named state buffer. */
  getState(p: Parameter): ParamState | undefined {
    return this.state.get(p);
  }
}
