/**
 * Named recipes: the documented training runs as JSON files in the repository's recipes/ folder
 * (shipped with the package). A recipe holds options of trainTranslation; options given by the
 * caller (command-line flags) override it, and `model` / `text` merge key by key.
 *
 *   {
 *     "description": "what it is and what it reached",
 *     "defaultFor": ["tatoeba"],          // data kinds for which it is its model kind's default
 *     "options": { "model": { "kind": "attention", ... }, "text": { ... }, "lr": 2e-3, ... }
 *   }
 *
 * A misspelt recipe name or key is an error naming it. A new recipe is a new file; a recipe with
 * `defaultFor` becomes what `attentive train translate --data KIND --model ITS_KIND` trains when
 * no other flag is given.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataSpec } from '../../data/corpus-node.js';
import { checkTranslationModelKeys, createTranslationModel, translationModelConfigKeys, translationModelKinds } from './registry.js';
import { TRAIN_DEFAULTS, type TrainTranslationOptions } from './train-node.js';

/** Options a recipe may set: everything of a run except where it goes and how it reports. */
export type RecipeOptions = Omit<TrainTranslationOptions, 'data' | 'out' | 'resume' | 'log' | 'progress'> & { data?: DataSpec };

export interface Recipe {
  name: string;
  path: string;
  description: string;
  defaultFor: string[];
  options: RecipeOptions;
}

/** recipes/ at the package root (this file is three folders down, in src/ or dist/). */
export const RECIPES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../recipes');

const OPTION_KEYS = [...Object.keys(TRAIN_DEFAULTS), 'skipFinalEval', 'bleuLowercase', 'model', 'text', 'data'];
const TEXT_KEYS = ['srcTokenizer', 'lowercase', 'bpeMerges', 'srcBpeMerges', 'tgtMinFreq', 'jointVocab'];
const DATA_KEYS = ['kind', 'path', 'nPairs', 'seed'];
const FILE_KEYS = ['description', 'defaultFor', 'options'];

function unknownKey(where: string, key: string, known: readonly string[]): never {
  throw new Error(`${where}: unknown key '${key}' (known: ${known.join(', ')})`);
}

/** Reads and checks one recipe file; every error names the file and the key. */
export function readRecipe(path: string): Recipe {
  const name = path.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
  const where = `recipe '${name}' (${path})`;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${where}: cannot read it: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: not a JSON object`);
  for (const k of Object.keys(raw)) if (!FILE_KEYS.includes(k)) unknownKey(where, k, FILE_KEYS);
  const options = (raw.options ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(options)) if (!OPTION_KEYS.includes(k)) unknownKey(`${where}: options`, k, OPTION_KEYS);
  for (const k of Object.keys((options.text ?? {}) as object)) if (!TEXT_KEYS.includes(k)) unknownKey(`${where}: options.text`, k, TEXT_KEYS);
  for (const k of Object.keys((options.data ?? {}) as object)) if (!DATA_KEYS.includes(k)) unknownKey(`${where}: options.data`, k, DATA_KEYS);
  const model = (options.model ?? {}) as Record<string, unknown>;
  const kind = (model.kind ?? model.model) as string | undefined;
  if (kind === undefined) throw new Error(`${where}: options.model.kind is missing (one of ${translationModelKinds().join(', ')})`);
  if (!translationModelKinds().includes(kind)) throw new Error(`${where}: options.model.kind '${kind}' is not a registered model kind (known: ${translationModelKinds().join(', ')})`);
  checkTranslationModelKeys(kind, model, `${where}: options.model`);
  const defaultFor = (raw.defaultFor ?? []) as string[];
  if (!Array.isArray(defaultFor) || defaultFor.some((d) => d !== 'embedded' && d !== 'tatoeba')) {
    throw new Error(`${where}: defaultFor must list data kinds ('embedded', 'tatoeba'), got ${JSON.stringify(raw.defaultFor)}`);
  }
  return { name, path, description: String(raw.description ?? ''), defaultFor, options: options as RecipeOptions };
}

/** The names of the recipes in `dir` (without reading them). */
export function recipeNames(dir = RECIPES_DIR): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
}

/** Every recipe in `dir`, by name. */
export function listRecipes(dir = RECIPES_DIR): Recipe[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => readRecipe(join(dir, f)));
}

/** The recipe called `name`; an unknown name is an error listing the known ones. */
export function loadRecipe(name: string, dir = RECIPES_DIR): Recipe {
  const path = join(dir, `${name}.json`);
  if (!/^[\w.-]+$/.test(name) || !existsSync(path)) {
    const known = recipeNames(dir);
    throw new Error(`unknown recipe '${name}' (known: ${known.join(', ') || `none in ${dir}`})`);
  }
  return readRecipe(path);
}

/** The recipe that is `modelKind`'s default on `dataKind` data, if any. */
export function defaultRecipe(dataKind: string, modelKind: string, dir = RECIPES_DIR): Recipe | undefined {
  const kindOf = (r: Recipe) => {
    const m = (r.options.model ?? {}) as Record<string, unknown>;
    return m.kind ?? m.model;
  };
  return listRecipes(dir).find((r) => r.defaultFor.includes(dataKind) && kindOf(r) === modelKind);
}

/**
 * The recipe's options under `given` (the caller's wins; `model` and `text` merge by key). A
 * `given.model` of another kind replaces the recipe's model config instead of mixing two kinds.
 */
export function applyRecipe<T extends Partial<TrainTranslationOptions>>(recipe: Recipe, given: T): T & RecipeOptions {
  const defined = <O extends object>(o: O | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
  const rModel = (recipe.options.model ?? {}) as Record<string, unknown>;
  const gModel = defined(given.model as Record<string, unknown> | undefined);
  const rKind = rModel.kind ?? rModel.model;
  const gKind = gModel.kind ?? gModel.model;
  // Another kind than the recipe's keeps only the recipe's keys that kind knows (the LSTM kinds share theirs).
  const known = gKind !== undefined && gKind !== rKind ? translationModelConfigKeys(String(gKind)) ?? [] : undefined;
  const base = known ? Object.fromEntries(Object.entries(rModel).filter(([k]) => k !== 'kind' && k !== 'model' && known.includes(k))) : rModel;
  const model = { ...base, ...gModel };
  const out = { ...recipe.options, ...defined(given), model, text: { ...recipe.options.text, ...defined(given.text) } } as T & RecipeOptions;
  // building the model once checks the merged config (values as well as keys) before any data is read
  createTranslationModel({ ...(model as Record<string, unknown>), srcVocabSize: 1, tgtVocabSize: 1 });
  return out;
}
