/**
 * The JSON the lab's server and page exchange. Browser-safe (types only), so the page and the
 * server are checked against the same shapes.
 */
import type { SearchMethod } from '../models/translation/search.js';
import type { BeamNode } from '../viz/beam-tree.js';
import type { CaptionSearch } from '../models/caption/search.js';

/** What a run folder holds, as the page groups them. */
export type RunKind = 'translation' | 'vanishing' | 'overfitting' | 'pretraining' | 'data-size' | 'pretrain' | 'caption' | 'text2image';

/** One run folder as listed by GET /api/runs. */
export interface RunInfo {
  name: string;
  kind: RunKind;
  /** One line for menus: the model and its best validation BLEU, or the experiment's name. */
  title: string;
  modified: number;
  /** A translation run has saved a model (model.safetensors) and can translate. */
  ready: boolean;
  /** Translation runs: the source tokenizer ('char' runs can also be run in the page). */
  srcTokenizer?: 'char' | 'word';
  /** Files of the run folder the page may fetch (pictures, metrics, weights). */
  files: string[];
  /** The running training job writes into this run. */
  training?: boolean;
}

/** Search settings of one translate request (validated by {@link parseTranslateRequest}). */
export interface TranslateRequest {
  run: string;
  text: string;
  method: SearchMethod;
  beamSize: number;
  nBest: number;
  lengthPenalty: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
}

/**
 * One attention map: rows are output tokens, columns source tokens, each row sums to 1. A model
 * with several maps (a Transformer's layers and heads) names each one, e.g. "layer 2, head 3".
 */
export interface AttentionMap {
  name: string;
  /** What the rows are: output words (attention over the source), or source tokens (the encoder's self-attention). */
  rowsAre?: 'target' | 'source';
  rows: string[];
  cols: string[];
  weights: number[][];
}

export interface TranslationOut {
  text: string;
  tokens: string[];
  logProb: number;
  score: number;
  finished: boolean;
  /** Empty for a model without attention. */
  attention: AttentionMap[];
}

/** Response of POST /api/translate. */
export interface TranslateResponse {
  run: string;
  model: string;
  source: { text: string; tokens: string[]; unknown: string[] };
  method: SearchMethod;
  translations: TranslationOut[];
  /** Beam search only: every hypothesis the search considered (kept ones and pruned ones). */
  beamTree: BeamNode[] | null;
  /** Exact search: false when its node budget ran out before the optimum was proven. */
  exact?: boolean;
  warnings: string[];
}

/** One digit scene the Caption view offers (GET /api/scenes): a test-split scene and its true caption. */
export interface SceneInfo {
  index: number;
  caption: string;
  /** The 84×84 scene as a PNG data URL. */
  png: string;
}

/** Body of POST /api/caption: a scene by its index in GET /api/scenes, or an uploaded PNG (base64 or a data URL). */
export interface CaptionRequest {
  run: string;
  scene?: number;
  png?: string;
  search: CaptionSearch;
  beamSize: number;
}

/** Response of POST /api/caption. */
export interface CaptionResponse {
  run: string;
  model: string;
  caption: string;
  words: string[];
  logProb: number;
  finished: boolean;
  /** Per word, its 9 attention weights over the 3×3 grid (row-major from the top left); null for Show-and-Tell. */
  attention: number[][] | null;
  /** The 84×84 grayscale image the model saw, as a PNG data URL (an upload after its conversions). */
  image: string;
  /** The captioning figure (one panel per word, src/viz attention overlay) as a PNG data URL; null without attention. */
  overlay: string | null;
  /** The scene's true caption (null for an upload). */
  reference: string | null;
  warnings: string[];
}

/** Body of POST /api/draw. */
export interface DrawRequest {
  run: string;
  caption: string;
}

/** Response of POST /api/draw. */
export interface DrawResponse {
  run: string;
  caption: string;
  /** What the caption was read as: the digit in each cell, row-major from the top left, '-' for empty. */
  cells: string;
  /** The drawn 84×84 image as a PNG data URL. */
  image: string;
}

/** One setting of a recipe, shown as a form field. */
export interface RecipeParam {
  key: string;
  label: string;
  type: 'int' | 'number' | 'choice' | 'file';
  default: number | string;
  min?: number;
  max?: number;
  choices?: string[];
  help?: string;
}

export interface Recipe {
  id: string;
  title: string;
  description: string;
  /** Prefix of the run folder name. */
  prefix: string;
  params: RecipeParam[];
}

/** What a running recipe reports; the server relays each one to the page as a server-sent event. */
export type JobEvent =
  | { type: 'log'; line: string }
  | { type: 'progress'; fraction: number; epoch?: number; step?: number; stepsPerEpoch?: number; loss?: number; lr?: number }
  | { type: 'epoch'; epoch: number; step: number; trainLoss: number; validLoss: number; validBleu: number | null; lr: number }
  | { type: 'done'; summary: Record<string, unknown> }
  | { type: 'error'; message: string };

/** Data behind the Look-inside view of one run (GET /api/runs/NAME/inside). */
export type InsideData =
  | { kind: 'vanishing'; configs: { name: string; layers: string[]; steps: number[]; gradNorm: number[][] }[]; rows: unknown[] }
  | { kind: 'overfitting'; curves: { config: string; epoch: number[]; trainAccuracy: number[]; testAccuracy: number[]; trainLoss: number[]; validLoss: (number | null)[] }[]; rows: unknown[] }
  | { kind: 'pretrain'; images: { name: string; file: string }[]; metrics: unknown[] }
  | { kind: 'table'; rows: unknown[]; pictures: string[] }
  | { kind: 'translation'; metrics: unknown[]; summary: unknown };

export type JobState = 'running' | 'done' | 'failed' | 'stopped';

/** GET /api/jobs/current. */
export interface JobStatus {
  id: string;
  recipe: string;
  run: string;
  params: Record<string, number | string>;
  state: JobState;
  started: number;
  ended: number | null;
  /** Part of the run done, 0..1 (from the last progress event). */
  fraction: number;
  /** Estimated seconds left, from the elapsed time and `fraction`; null until there is progress. */
  etaSeconds: number | null;
  error: string | null;
  /** Process id of the training process while it runs. */
  pid: number | null;
}

/** What a subscriber receives: the job's own events, and 'state' whenever the status changes. */
export type LabEvent = JobEvent | { type: 'state'; status: JobStatus };
