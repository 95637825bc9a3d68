/**
 * The core entry point must bundle for the browser (no `node:` module or Node-only package
 * reachable from src/core.ts) and run without Node globals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('src/core.ts bundles for the browser and multiplies tensors in a bare VM context', async () => {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'core.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    metafile: true,
  });
  assert.equal(result.errors.length, 0);
  const inputs = Object.keys(result.metafile!.inputs);
  const nodeOnly = inputs.filter((f) => f.startsWith('node:') || /-node\.ts$/.test(f) || /\/(cli|backend\/native)\//.test(f));
  assert.deepEqual(nodeOnly, [], 'Node-only files reachable from src/core.ts');
  const code = result.outputFiles[0].text;
  assert.doesNotMatch(code, /\bfrom\s*["']node:/);

  // Evaluate as a module in a fresh context that has neither require nor process.
  const context = vm.createContext({ console });
  assert.equal(vm.runInContext('typeof require + typeof process + typeof Buffer', context), 'undefinedundefinedundefined');
  const SourceTextModule = (vm as unknown as { SourceTextModule?: new (code: string, o: object) => VmModule }).SourceTextModule;
  let core: Record<string, unknown>;
  if (SourceTextModule) {
    const mod = new SourceTextModule(code, { context, identifier: 'attentive-core.mjs' });
    await mod.link(() => { throw new Error('the core bundle must not import anything'); });
    await mod.evaluate();
    core = mod.namespace;
  } else {
    // without --experimental-vm-modules: turn the ESM export list into an assignment and run as a script
    const m = /export\s*\{([^}]*)\};?\s*$/.exec(code);
    assert.ok(m, 'the bundle ends with an export list');
    const body = code.slice(0, m.index);
    const entries = m[1].split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const [local, exported] = s.split(/\s+as\s+/);
      return `${JSON.stringify(exported ?? local)}: ${local}`;
    });
    vm.runInContext(`${body}\nglobalThis.__core = { ${entries.join(', ')} };`, context, { filename: 'attentive-core.js' });
    core = (context as { __core: Record<string, unknown> }).__core;
  }
  const out = vm.runInContext(
    `(${((c: any) => {
      const a = c.tensor([[1, 2], [3, 4]]);
      const b = c.tensor([[5, 6], [7, 8]]);
      const p = c.F.matmul(a, b);
      return { shape: p.shape.slice(), values: Array.from(p.values()), viaMethod: Array.from(a.matmul(b).values()) };
    }).toString()})`,
    context,
  )(core);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), { shape: [2, 2], values: [19, 22, 43, 50], viaMethod: [19, 22, 43, 50] });
});

interface VmModule {
  link(linker: () => never): Promise<void>;
  evaluate(): Promise<void>;
  namespace: Record<string, unknown>;
}
