import { Tensor } from '../tensor/tensor.js';
import { contiguousStrides, fmtShape, shapesEqual } from '../tensor/shape.js';
import { Parameter } from './parameter.js';

export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

/**
 * Base class of every layer and model. Parameters and submodules are discovered from the
 * instance's own properties (in definition order), so `this.weight = new Parameter(...)` is all a
 * layer writes and the property path is the checkpoint key (`encoder.layers.0.weight`), as in
 * PyTorch. Plain tensors that are state but not trained (running statistics) are registered with
 * registerBuffer.
 */
export abstract class Module {
  training = true;
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private _forwardHooks: ForwardHook[] = [];
  private _forwardPreHooks: ForwardPreHook[] = [];

  constructor() {
    // Route every forward call through the hooks without asking subclasses to cooperate.
    const impl = (this as unknown as { forward: (...a: unknown[]) => unknown }).forward;
    Object.defineProperty(this, 'forward', {
      enumerable: false,
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        if (this._forwardPreHooks.length === 0 && this._forwardHooks.length === 0) return impl.apply(this, args);
        for (const h of this._forwardPreHooks) {
          const r = h(this, args);
          if (r) args = r;
        }
        let out = impl.apply(this, args);
        for (const h of this._forwardHooks) {
          const r = h(this, args, out);
          if (r !== undefined) out = r;
        }
        return out;
      },
    });
  }

  /** Subclasses define forward with their own signature. */
  abstract forward(...args: never[]): unknown;

  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this._buffers.set(name, tensor);
    if (!persistent) this._nonPersistent.add(name);
    Object.defineProperty(this, name, {
      enumerable: false,
      configurable: true,
      get: () => this._buffers.get(name) ?? null,
      set: (v: Tensor | null) => this._buffers.set(name, v),
    });
  }

  /** Adds a parameter under a computed name (e.g. `weight_ih_l0`). */
  registerParameter(name: string, p: Parameter | null): void {
    (this as unknown as Record<string, unknown>)[name] = p;
  }

  registerModule(name: string, m: Module | null): void {
    (this as unknown as Record<string, unknown>)[name] = m;
  }

  /** Direct children in definition order. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) out.push([k, v]);
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all descendants with dotted paths ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          out.push([path ? `${path}.${k}` : k, v]);
        }
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [k, v] of m._buffers) if (v) out.push([path ? `${path}.${k}` : k, v]);
    }
    return out;
  }

  /** Total number of trainable values. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Converts every parameter and float buffer to `dtype` in place, like torch's `module.double()`:
   * the Parameter objects stay the same (layers and optimizers holding them keep working), their
   * storage is replaced by a converted copy and their gradients are dropped. float64 is for
   * double-precision gradient checks (`gradcheck`); int32 buffers are left alone.
   */
  to(dtype: 'float32' | 'float64'): this {
    if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`Module.to: dtype must be 'float32' or 'float64', got '${String(dtype)}'`);
    const retype = (t: Tensor) => {
      if (t.dtype === dtype || t.dtype === 'int32') return;
      const data = dtype === 'float64' ? Float64Array.from(t.values()) : Float32Array.from(t.values());
      Object.assign(t as unknown as Record<string, unknown>, { data, dtype, strides: contiguousStrides(t.shape), offset: 0, grad: null });
    };
    for (const p of this.parameters()) retype(p);
    for (const [, b] of this.namedBuffers()) retype(b);
    return this;
  }

  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /** Parameters and persistent buffers by checkpoint key (tensors share storage with the module). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [k, p] of this.namedParameters()) out[k] = p;
    for (const [path, m] of this.namedModules()) {
      for (const [k, v] of m._buffers) if (v && !m._nonPersistent.has(k)) out[path ? `${path}.${k}` : k] = v;
    }
    return out;
  }

  /**
   * Copies values from `state` into this module's tensors. Strict mode (default) reports every
   * missing key, unexpected key and shape mismatch in one error.
   */
  loadStateDict(state: Record<string, Tensor>, strict = true): { missing: string[]; unexpected: string[] } {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    const mismatched: string[] = [];
    for (const [k, t] of Object.entries(own)) {
      const s = state[k];
      if (!s) continue;
      if (!shapesEqual(s.shape, t.shape)) mismatched.push(`${k}: expected ${fmtShape(t.shape)}, got ${fmtShape(s.shape)}`);
      else if (s.dtype !== t.dtype) mismatched.push(`${k}: expected dtype ${t.dtype}, got ${s.dtype}`);
    }
    const problems: string[] = [];
    if (mismatched.length) problems.push(`shape/dtype mismatches:\n  ${mismatched.join('\n  ')}`);
    if (strict && missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
    if (strict && unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (problems.length) throw new Error(`loadStateDict: ${problems.join('\n')}`);
    for (const [k, t] of Object.entries(own)) {
      const s = state[k];
      if (s) t.data.set(s.values(), 0);
    }
    return { missing, unexpected };
  }

  registerForwardHook(hook: ForwardHook): () => void {
    this._forwardHooks.push(hook);
    return () => { this._forwardHooks = this._forwardHooks.filter((h) => h !== hook); };
  }

  registerForwardPreHook(hook: ForwardPreHook): () => void {
    this._forwardPreHooks.push(hook);
    return () => { this._forwardPreHooks = this._forwardPreHooks.filter((h) => h !== hook); };
  }

  /** A one-line-per-module summary (like printing a torch module). */
  toString(): string {
    const lines: string[] = [];
    const walk = (m: Module, name: string, depth: number) => {
      const own = Object.entries(m).filter(([, v]) => v instanceof Parameter) as [string, Parameter][];
      const ps = own.map(([k, p]) => `${k}${fmtShape(p.shape)}`).join(', ');
      lines.push(`${'  '.repeat(depth)}${name ? name + ': ' : ''}${m.constructor.name}${ps ? ` (${ps})` : ''}`);
      for (const [k, c] of m.namedChildren()) walk(c, k, depth + 1);
    };
    walk(this, '', 0);
    return lines.join('\n');
  }
}
