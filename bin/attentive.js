#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time under dir (ms), for the stale-build check of a source checkout. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}


/**
 * Training allocates a few hundred MB of short-lived tensor storage per step. With V8's default
 * heap sizing every ~64 MB of it starts a full mark-compact (about 20 ms each), which costs
 * about 15 % of a translation training step (CPU profile). A larger young generation and initial old-space limit
 * cut those collections by more than half. The flags only take effect at startup, so the CLI
 * re-runs itself once with them (ATTENTIVE_HEAP_FLAGS=0 turns this off; flags given to node
 * explicitly are left alone).
 */
const HEAP_FLAGS = ['--max-semi-space-size=64', '--initial-old-space-size=2048'];
const hasHeapFlags = process.execArgv.some((a) => /^--(max-semi-space-size|initial-old-space-size)/.test(a));
if (process.env.ATTENTIVE_HEAP_FLAGS !== '0' && !hasHeapFlags) {
  const child = spawn(process.execPath, [...HEAP_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; other signals are passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else runCli();

// In a source checkout, edits to src/ do not reach the CLI until dist/ is rebuilt: say so
// rather than silently run old code.
function runCli() {
const built = join(root, 'dist', 'cli', 'main.js');
if (existsSync(built) && existsSync(join(root, 'src')) && newest(join(root, 'src')) > statSync(built).mtimeMs) {
  console.error('attentive: warning: src/ is newer than the compiled CLI in dist/; run `npm run build` to use your changes.');
}
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('attentive: the compiled CLI is missing; run `npm run build` (or `npm install`) first.');
  } else {
    console.error(err && err.stack ? err.stack : err);
  }
  process.exit(1);
});
}
