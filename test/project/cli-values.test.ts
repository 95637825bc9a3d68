/**
 * The command line refuses wrong values before doing anything: every message names the flag and
 * the value, and nothing is written. Every command's --help works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

/** Every command with its path of names below `attentive`. */
function allCommands(): { path: string[]; cmd: Command }[] {
  const out: { path: string[]; cmd: Command }[] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const c of cmd.commands) {
      out.push({ path: [...path, c.name()], cmd: c });
      walk(c, [...path, c.name()]);
    }
  };
  walk(buildProgram(), []);
  return out;
}

/** Runs the CLI in-process; returns what it printed, or the CommanderError it stopped with. */
async function run(args: string[]): Promise<{ out: string; err: string; error?: CommanderError | Error }> {
  const program = buildProgram();
  let out = '', err = '';
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    c.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(['node', 'attentive', ...args]);
    return { out, err };
  } catch (e) {
    return { out, err, error: e as Error };
  }
}

test('every command answers --help with its usage, description and options', async () => {
  const commands = allCommands();
  const names = commands.map((c) => c.path.join(' '));
  for (const expected of ['version', 'bleu', 'demo', 'train', 'train translate', 'translate', 'start', 'experiment', 'pretrain', 'data', 'data embedded']) {
    assert.ok(names.includes(expected), `missing command ${expected}`);
  }
  const top = await run(['--help']);
  assert.equal((top.error as CommanderError).code, 'commander.helpDisplayed');
  for (const { path } of commands) assert.match(top.out, new RegExp(`\\b${path[0]}\\b`));
  for (const { path, cmd } of commands) {
    const r = await run([...path, '--help']);
    assert.equal((r.error as CommanderError | undefined)?.code, 'commander.helpDisplayed', `${path.join(' ')} --help: ${r.error?.message}`);
    assert.match(r.out, new RegExp(`^Usage: attentive ${path.join(' ')}`), path.join(' '));
    const flat = (t: string) => t.replace(/\s+/g, ' ');
    assert.ok(flat(r.out).includes(flat(cmd.description())), `${path.join(' ')} --help lacks its description`);
    for (const o of cmd.options) assert.ok(r.out.includes(o.flags), `${path.join(' ')} --help lacks ${o.flags}`);
  }
});

test('an unknown flag is refused by every command, naming the flag', async () => {
  // what each command needs besides the flag, so that the unknown flag is the only thing wrong
  const needs: Record<string, string[]> = {
    translate: ['--run', tmpdir()], 'data embedded': ['--out', join(tmpdir(), 'never-written')], bleu: ['ref.txt'], experiment: ['vanishing'],
    'data scenes': ['--out', join(tmpdir(), 'never-written'), '--n', '2'], caption: ['never.png', '--run', tmpdir()],
    draw: ['a one in the center', '--run', tmpdir(), '--out', join(tmpdir(), 'never-written.png')],
  };
  for (const { path, cmd } of allCommands()) {
    if (cmd.commands.length > 0) continue; // a group answers with its subcommands
    const r = await run([...path, ...(needs[path.join(' ')] ?? []), '--no-such-flag', '3']);
    assert.ok(r.error instanceof CommanderError, `${path.join(' ')} accepted --no-such-flag`);
    assert.match(r.error.message, /unknown option '--no-such-flag'/, path.join(' '));
  }
});

test('wrong values name the flag and the value, and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-cli-values-'));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    const file = join(dir, 'a-file.txt');
    writeFileSync(file, 'not a folder\n');
    const out = join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [['translate', '--run', dir, '--beam-size', '-3', '我'], /--beam-size must be an integer >= 1, got '-3'/],
      [['translate', '--run', dir, '--beam-size', '0', '我'], /--beam-size must be an integer >= 1, got '0'/],
      [['translate', '--run', file, '我'], new RegExp(`--run must be a folder, got '${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}', which is a file`)],
      [['translate', '--run', join(dir, 'nope'), '我'], /--run must be an existing folder, got '.*nope', which does not exist/],
      [['translate', '--run', dir, '--input', dir], /--input must be a file, got '.*', which is a folder/],
      [['translate', '--run', dir, '--seed', 'x', '我'], /--seed must be an integer >= 0, got 'x'/],
      [['translate', '--run', dir, '--top-p', '1.5', '我'], /--top-p must be a finite number > 0 and <= 1, got '1.5'/],
      [['translate', '--run', dir, '--temperature', '0', '我'], /--temperature must be a finite number > 0, got '0'/],
      [['train', 'translate', '--data', 'embedded', '--out', out, '--lr', 'NaN'], /--lr must be a finite number > 0, got 'NaN'/],
      [['train', 'translate', '--data', 'embedded', '--out', out, '--lr', '-1e-3'], /--lr must be a finite number > 0, got '-1e-3'/],
      [['train', 'translate', '--data', 'embedded', '--out', out, '--beam-size', '-1'], /--beam-size must be an integer >= 1, got '-1'/],
      [['train', 'translate', '--data', 'embedded', '--out', out, '--dropout', '1'], /--dropout must be a finite number >= 0 and < 1, got '1'/],
      [['train', 'translate', '--data', 'embedded', '--out', out, '--batch-size', '2.5'], /--batch-size must be an integer >= 1, got '2.5'/],
      [['train', 'translate', '--data', 'embedded', '--out', out, '--max-minutes', 'Infinity'], /--max-minutes must be a finite number >= 0, got 'Infinity'/],
      [['train', 'translate', '--data', 'embedded', '--out', file], /--out must be a folder to write into, got '.*a-file\.txt', which is a file/],
      [['train', 'translate', '--resume', file], /--resume must be a folder, got '.*a-file\.txt', which is a file/],
      [['start', '--epochs', 'NaN', '--out', out], /--epochs must be an integer >= 1, got 'NaN'/],
      [['start', '--minutes', '-2', '--out', out], /--minutes must be a finite number > 0, got '-2'/],
      [['start', '--out', file], /--out must be a folder to write into/],
      [['demo', '--steps', 'abc'], /--steps must be an integer >= 1, got 'abc'/],
      [['pretrain', '--lr', 'NaN', '--out', out], /--lr must be a finite number > 0, got 'NaN'/],
      [['pretrain', '--epochs', '-1', '--out', out], /--epochs must be an integer >= 1, got '-1'/],
      [['pretrain', '--out', file], /--out must be a folder to write into/],
      [['experiment', 'vanishing', '--seeds', '0', '--out', out], /--seeds must be an integer >= 1, got '0'/],
      [['experiment', 'vanishing', '--out', file], /--out must be a folder to write into/],
      [['bleu', file, '--chrf-beta', '-1'], /--chrf-beta must be a number >= 0, got '-1'/],
      [['data', 'embedded', '--out', out, '--n-pairs', '-5'], /--n-pairs must be an integer >= 1, got '-5'/],
      [['data', 'embedded', '--out', file], /--out must be a folder to write into/],
    ];
    for (const [args, expected] of cases) {
      const r = await run(args);
      assert.ok(r.error, `${args.join(' ')} was accepted`);
      assert.match(r.error.message, expected, args.join(' '));
    }
    // nothing was created: no run folder, no runs/ in the working folder
    assert.deepEqual(readdirSync(dir), ['a-file.txt']);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the attentive process exits 1 with the flag and value on stderr, having written nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-cli-values-'));
  try {
    const main = resolve(import.meta.dirname, '../../src/cli/main.ts');
    // run from the empty folder, so tsx is named by its resolved location
    const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '-e', `import(${JSON.stringify(main)}).then((m) => m.main(process.argv))`,
      'attentive', 'train', 'translate', '--data', 'embedded', '--lr', 'nan', '--out', join(dir, 'run')], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /option '--lr <lr>' argument 'nan' is invalid\. --lr must be a finite number > 0, got 'nan'/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
