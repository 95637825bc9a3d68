import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { corpusBleu, sentenceBleu, type BleuOptions, type BleuResult } from '../metrics/bleu.js';
import { corpusChrf, sentenceChrf, type ChrfOptions, type ChrfResult } from '../metrics/chrf.js';
import { explainBleu, formatExplanation } from '../metrics/explain.js';
import { formatFixed } from '../metrics/format.js';
import { TOKENIZER_NAMES, type TokenizerName } from '../metrics/tokenizers.js';
import type { SmoothMethod } from '../metrics/bleu-compute.js';

/** Settings of `attentive bleu`, as parsed from the command line. */
export interface BleuCommandOptions {
  /** Reference files, one segment per line; several files are several reference streams. */
  refs: string[];
  /** Hypothesis file; standard input when absent. */
  input?: string;
  tokenize?: TokenizerName;
  smoothMethod?: SmoothMethod;
  smoothValue?: number;
  lowercase?: boolean;
  sentenceLevel?: boolean;
  /** Any of 'bleu', 'chrf' (default ['bleu']). */
  metrics?: string[];
  chrfCharOrder?: number;
  chrfWordOrder?: number;
  chrfBeta?: number;
  chrfLowercase?: boolean;
  chrfWhitespace?: boolean;
  chrfEpsSmoothing?: boolean;
  json?: boolean;
  explain?: boolean;
}

/** What `runBleu` needs from the outside world, so it can be driven without files or a process. */
export interface BleuCommandIO {
  readFile(path: string): string;
  readStdin(): string;
  /** Writes one line (without its newline) to standard output. */
  out(line: string): void;
  /** Writes one line (without its newline) to standard error. */
  err(line: string): void;
}

const METRICS = ['bleu', 'chrf'] as const;
type MetricName = (typeof METRICS)[number];

/** Splits file text into lines the way Python's universal newlines do; a final newline ends the last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** sacreBLEU's one-line BLEU summary: `BLEU = 47.99 77.4/54.4/42.3/29.8 (BP = 1.000 ratio = ...)`. */
export function formatBleuLine(r: BleuResult): string {
  const prec = r.precisions.map((p) => formatFixed(p, 1)).join('/');
  const ratio = r.ref_len ? r.sys_len / r.ref_len : 0;
  return (
    `${r.name} = ${formatFixed(r.score, 2)} ${prec} (BP = ${formatFixed(r.bp, 3)} ` +
    `ratio = ${formatFixed(ratio, 3)} hyp_len = ${r.sys_len} ref_len = ${r.ref_len})`
  );
}

/** sacreBLEU's one-line chrF summary: `chrF2 = 59.73`. */
export function formatChrfLine(r: ChrfResult): string {
  return `${r.name} = ${formatFixed(r.score, 2)}`;
}

function bleuJson(r: BleuResult): string {
  const { name, score, counts, totals, precisions, bp, sys_len, ref_len, signature } = r;
  return JSON.stringify({ name, score, counts, totals, precisions, bp, sys_len, ref_len, signature });
}

function chrfJson(r: ChrfResult): string {
  return JSON.stringify({ name: r.name, score: r.score, signature: r.signature });
}

class UsageError extends Error {}

function readOrFail(io: BleuCommandIO, path: string, what: string): string[] {
  try {
    return splitLines(io.readFile(path));
  } catch (e) {
    throw new UsageError(`cannot read ${what} '${path}': ${(e as Error).message}`);
  }
}

/**
 * The `attentive bleu` command: scores a hypothesis file (or standard input) against reference
 * files with BLEU and/or chrF and prints text, JSON lines or a sentence-pair explanation.
 * Returns the process exit code (0 on success, 1 on bad input, reported through `io.err`).
 */
export function runBleu(opts: BleuCommandOptions, io: BleuCommandIO): number {
  try {
    run(opts, io);
    return 0;
  } catch (e) {
    io.err(`attentive bleu: ${(e as Error).message}`);
    return 1;
  }
}

function run(opts: BleuCommandOptions, io: BleuCommandIO): void {
  if (opts.refs.length === 0) throw new UsageError('need at least one reference file');
  const metrics = (opts.metrics ?? ['bleu']).map((m) => m.toLowerCase());
  for (const m of metrics) {
    if (!(METRICS as readonly string[]).includes(m)) {
      throw new UsageError(`unknown metric '${m}' (expected ${METRICS.join(' or ')})`);
    }
  }
  const hypName = opts.input ?? '<stdin>';
  let hyps: string[];
  if (opts.input !== undefined) {
    hyps = readOrFail(io, opts.input, 'hypothesis file');
  } else {
    try {
      hyps = splitLines(io.readStdin());
    } catch (e) {
      throw new UsageError(`cannot read the hypotheses from standard input: ${(e as Error).message}`);
    }
  }
  const refStreams = opts.refs.map((path) => readOrFail(io, path, 'reference file'));
  refStreams.forEach((stream, i) => {
    if (stream.length !== hyps.length) {
      throw new UsageError(
        `line counts differ: reference file '${opts.refs[i]}' has ${stream.length} lines ` +
          `but hypothesis ${opts.input !== undefined ? `file '${hypName}'` : hypName} has ${hyps.length}`,
      );
    }
  });
  if (hyps.length === 0) throw new UsageError(`no segments to score: '${hypName}' is empty`);

  const bleuOpts: BleuOptions = {
    tokenize: opts.tokenize,
    smoothMethod: opts.smoothMethod,
    smoothValue: opts.smoothValue,
    lowercase: opts.lowercase ?? false,
  };
  const chrfOpts: ChrfOptions = {
    charOrder: opts.chrfCharOrder,
    wordOrder: opts.chrfWordOrder,
    beta: opts.chrfBeta,
    lowercase: opts.chrfLowercase ?? false,
    whitespace: opts.chrfWhitespace ?? false,
    epsSmoothing: opts.chrfEpsSmoothing ?? false,
  };

  if (opts.explain) {
    if (hyps.length !== 1) {
      throw new UsageError(`--explain takes a single sentence pair, but '${hypName}' has ${hyps.length} lines`);
    }
    io.out(formatExplanation(explainBleu(hyps[0], refStreams.map((s) => s[0]), bleuOpts)));
    return;
  }

  if (opts.sentenceLevel) {
    // sentence BLEU always uses effective order, as sacreBLEU's command line does
    const signatures = new Map<MetricName, string>();
    hyps.forEach((hyp, i) => {
      const refs = refStreams.map((s) => s[i]);
      for (const m of metrics as MetricName[]) {
        if (m === 'bleu') {
          const r = sentenceBleu(hyp, refs, { ...bleuOpts, effectiveOrder: true });
          io.out(opts.json ? bleuJson(r) : formatBleuLine(r));
          signatures.set(m, r.signature);
        } else {
          const r = sentenceChrf(hyp, refs, chrfOpts);
          io.out(opts.json ? chrfJson(r) : formatChrfLine(r));
          signatures.set(m, r.signature);
        }
      }
    });
    if (!opts.json) for (const [m, sig] of signatures) io.out(`${m === 'bleu' ? 'BLEU' : 'chrF'} signature: ${sig}`);
    return;
  }

  for (const m of metrics as MetricName[]) {
    if (m === 'bleu') {
      const r = corpusBleu(hyps, refStreams, bleuOpts);
      if (opts.json) {
        io.out(bleuJson(r));
      } else {
        io.out(formatBleuLine(r));
        io.out(`signature: ${r.signature}`);
      }
    } else {
      const r = corpusChrf(hyps, refStreams, chrfOpts);
      if (opts.json) {
        io.out(chrfJson(r));
      } else {
        io.out(formatChrfLine(r));
        io.out(`signature: ${r.signature}`);
      }
    }
  }
}

function parseNumber(flag: string, integer: boolean, min: number) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)) || x < min) {
      throw new InvalidArgumentError(`${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got '${value}'`);
    }
    return x;
  };
}

/** Node's side of `BleuCommandIO`: real files, standard input, stdout and stderr. */
export const nodeBleuIO: BleuCommandIO = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readStdin: () => readFileSync(0, 'utf8'),
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/**
 * Adds `attentive bleu REF [REF...] -i HYP ...` to a commander program; its options mirror
 * sacreBLEU's command line. `io` defaults to the real files and streams.
 */
export function registerBleuCommand(program: Command, io: BleuCommandIO = nodeBleuIO): Command {
  return program
    .command('bleu')
    .description('score a hypothesis file against reference files with BLEU and chrF (sacreBLEU-compatible)')
    .argument('<refs...>', 'reference files, one segment per line (several files = several references)')
    .option('-i, --input <file>', 'hypothesis file (default: standard input)')
    .addOption(new Option('-t, --tokenize <name>', 'BLEU tokenizer').choices([...TOKENIZER_NAMES]).default('13a'))
    .addOption(
      new Option('-s, --smooth-method <method>', 'BLEU smoothing').choices(['exp', 'floor', 'add-k', 'none']).default('exp'),
    )
    .option('--smooth-value <v>', 'value for floor (default 0.1) and add-k (default 1)', parseNumber('--smooth-value', false, 0))
    .option('-l, --lowercase', 'case-insensitive BLEU', false)
    .option('--sentence-level', 'one score per segment (BLEU with effective order)', false)
    .addOption(new Option('-m, --metrics <names...>', 'metrics to compute').choices([...METRICS]).default(['bleu']))
    .option('--chrf-char-order <n>', 'chrF character n-gram order', parseNumber('--chrf-char-order', true, 0), 6)
    .option('--chrf-word-order <n>', 'chrF word n-gram order (2 = chrF++)', parseNumber('--chrf-word-order', true, 0), 0)
    .option('--chrf-beta <b>', 'chrF recall weight', parseNumber('--chrf-beta', false, 0), 2)
    .option('--chrf-lowercase', 'case-insensitive chrF', false)
    .option('--chrf-whitespace', 'keep whitespace in chrF character n-grams', false)
    .option('--chrf-eps-smoothing', "average per-order F-scores with epsilon smoothing (chrF++.py's way)", false)
    .option('--json', 'one JSON object per metric (per segment with --sentence-level) per line', false)
    .option('--explain', 'show the n-gram matches behind BLEU for a single sentence pair', false)
    .action((refs: string[], options: Omit<BleuCommandOptions, 'refs'>) => {
      const code = runBleu({ ...options, refs }, io);
      if (code !== 0) process.exitCode = code;
    });
}
