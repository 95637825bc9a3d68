// Parsers for command-line values: each rejects a bad value with a message that names the flag
// and the value, before anything is computed or written. Commander prefixes the message with
// "option '--flag <x>' argument 'value' is invalid."
import { statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

export interface NumberRange {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Smallest value excluded: the value must be above it. */
  above?: number;
  /** Largest value excluded: the value must be below it. */
  below?: number;
}

function rangeText(r: NumberRange): string {
  const parts: string[] = [];
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

function parse(flag: string, integer: boolean, r: NumberRange) {
  return (value: string): number => {
    const x = Number(value);
    const bad = value.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)) ||
      (r.min !== undefined && x < r.min) || (r.max !== undefined && x > r.max) || (r.above !== undefined && !(x > r.above)) || (r.below !== undefined && !(x < r.below));
    if (bad) throw new InvalidArgumentError(`${flag} must be ${integer ? 'an integer' : 'a finite number'}${rangeText(r)}, got '${value}'`);
    return x;
  };
}

/** An integer option, e.g. `intOption('--beam-size', { min: 1 })`. */
export const intOption = (flag: string, range: NumberRange = {}) => parse(flag, true, range);

/** A finite number option (NaN and Infinity are refused), e.g. `numberOption('--lr', { above: 0 })`. */
export const numberOption = (flag: string, range: NumberRange = {}) => parse(flag, false, range);

function kindOf(path: string): 'file' | 'folder' | 'other' | null {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}

/** A folder that must already exist (a run to resume or translate with). */
export const existingFolderOption = (flag: string) => (value: string): string => {
  const kind = kindOf(value);
  if (kind === null) throw new InvalidArgumentError(`${flag} must be an existing folder, got '${value}', which does not exist`);
  if (kind !== 'folder') throw new InvalidArgumentError(`${flag} must be a folder, got '${value}', which is a ${kind}`);
  return value;
};

/** A folder to write into: it may not exist yet, but must not be a file. */
export const outputFolderOption = (flag: string) => (value: string): string => {
  const kind = kindOf(value);
  if (kind !== null && kind !== 'folder') throw new InvalidArgumentError(`${flag} must be a folder to write into, got '${value}', which is a ${kind}`);
  return value;
};

/** A file that must already exist. */
export const existingFileOption = (flag: string) => (value: string): string => {
  const kind = kindOf(value);
  if (kind === null) throw new InvalidArgumentError(`${flag} must be an existing file, got '${value}', which does not exist`);
  if (kind !== 'file') throw new InvalidArgumentError(`${flag} must be a file, got '${value}', which is a ${kind}`);
  return value;
};
