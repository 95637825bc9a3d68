#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('attentive: the compiled CLI is missing; run `npm run build` (or `npm install`) first.');
  } else {
    console.error(err && err.stack ? err.stack : err);
  }
  process.exit(1);
});
