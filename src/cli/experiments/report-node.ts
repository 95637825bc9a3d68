/**
 * What every experiment shares: a run folder, a printed table, a Markdown report beside its
 * plots, a progress bar on terminals, and the result as JSON rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';

/** A cell of a result table. */
export type Cell = string | number;
export type Row = Record<string, Cell>;

/** Common options of every experiment. */
export interface ExperimentOptions {
  quick: boolean;
  seed: number;
  /** Run folder; default runs/<name>-<timestamp>. */
  out?: string;
  /** Show a progress bar (default: when stdout is a terminal). */
  progress?: boolean;
  /** Lines of progress text (default: none). */
  log?: (line: string) => void;
}

/** What an experiment hands back. */
export interface ExperimentResult {
  name: string;
  columns: string[];
  rows: Row[];
  /** The run folder that holds report.md and the plots. */
  dir: string;
  seconds: number;
}

/** Creates (and returns) the run folder `out`, or runs/<name>-<timestamp>. */
export function makeRunDir(name: string, out?: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const dir = resolve(out ?? join('runs', `${name}-${stamp}`));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Numbers printed with up to 4 significant digits (small ones in exponent form). */
export function formatCell(v: Cell): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A fixed-width text table for the terminal. */
export function textTable(columns: readonly string[], rows: readonly Row[]): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(columns.slice()), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(columns: readonly string[], rows: readonly Row[]): string {
  const head = `| ${columns.join(' | ')} |\n|${columns.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [head, ...rows.map((r) => `| ${columns.map((c) => formatCell(r[c] ?? '')).join(' | ')} |`)].join('\n');
}

/** Writes a file into the run folder and returns its name (for links in the report). */
export function writeRunFile(dir: string, name: string, content: string | Uint8Array): string {
  writeFileSync(join(dir, name), content);
  return name;
}

/** A progress callback: a cli-progress bar when enabled, else nothing. Call finish() at the end. */
export function progressBar(enabled: boolean, label: string): { update: (done: number, total: number) => void; finish: () => void } {
  if (!enabled) return { update: () => {}, finish: () => {} };
  const bar = new SingleBar({ format: `${label.padEnd(24)} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) { bar.start(total, 0); started = true; }
      if (done % 5 === 0 || done === total) bar.update(done);
    },
    finish: () => { if (started) bar.stop(); },
  };
}

/** Mean and (sample) standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std };
}
