#!/usr/bin/env node
/**
 * Builds the optional native backend (build/Release/attentive.node) with node-gyp.
 *
 * Run by the package's `install` script. The native backend is an accelerator, not a
 * requirement: when the build fails (no C compiler, no Python for gyp, unsupported platform)
 * this prints one warning and exits 0, and the TypeScript backend is used instead.
 * In CI (the CI environment variable set, as every CI service does) a failed build exits 1
 * instead: there the native backend must be tested, never silently replaced.
 * Nothing is downloaded: node-gyp is pointed at headers already on disk.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const inCi = Boolean(process.env.CI) && !['0', 'false'].includes(String(process.env.CI).toLowerCase());

if (process.env.ATTENTIVE_SKIP_NATIVE) {
  console.warn('attentive: ATTENTIVE_SKIP_NATIVE is set; skipping the native backend build.');
  process.exit(0);
}

/** The node-gyp entry script: the one npm passes in, one on PATH, or npm's bundled copy. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return { cmd: process.execPath, args: [fromNpm] };
  const onPath = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['node-gyp'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return { cmd: onPath.stdout.trim().split(/\r?\n/)[0], args: [] };
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    const req = createRequire(import.meta.url);
    candidates.push(req.resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not installed locally */ }
  for (const c of candidates) if (existsSync(c)) return { cmd: process.execPath, args: [c] };
  return null;
}

/** A node headers directory already on disk, so node-gyp never downloads them. */
function findNodeDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(join(configured, 'include', 'node', 'node_api.h'))) return configured;
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return configured || null;
}

function fail(reason) {
  if (inCi) {
    console.error(`attentive: native backend build FAILED in CI (${reason}); CI must test both backends, so this is an error.`);
    process.exit(1);
  }
  console.warn(
    `attentive: native backend not built (${reason}); the TypeScript backend will be used (correct but much slower).\n` +
      '  To get the native backend install a C compiler, make and Python 3 (Debian/Ubuntu: apt-get install build-essential python3;\n' +
      '  macOS: xcode-select --install), then run `npm rebuild attentive` or `node scripts/build-native.mjs`.',
  );
  process.exit(0);
}

const gyp = findNodeGyp();
if (!gyp) fail('node-gyp not found');
const args = [...gyp.args, 'rebuild', '--release'];
const nodedir = findNodeDir();
if (nodedir) args.push(`--nodedir=${nodedir}`);
if (process.env.JOBS || process.env.npm_config_jobs) args.push(`--jobs=${process.env.JOBS || process.env.npm_config_jobs}`);
else args.push('--jobs=max');

const res = spawnSync(gyp.cmd, args, { cwd: root, stdio: quiet ? 'pipe' : ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const built = join(root, 'build', 'Release', 'attentive.node');
if (res.error || res.status !== 0 || !existsSync(built)) {
  const log = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const firstError = log.split(/\r?\n/).find((l) => /error|not found|ERR!/i.test(l));
  fail(res.error ? res.error.message : (firstError?.trim() ?? `node-gyp exited with ${res.status}`));
}
if (!quiet) console.log(`attentive: native backend built (${built}).`);
