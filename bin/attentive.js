#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
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

// In a source checkout, edits to src/ do not reach the CLI until dist/ is rebuilt: say so
// rather than silently run old code.
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
