/**
 * A translation run, run in the page: the weights (safetensors), config and vocabularies come
 * over HTTP, the model is rebuilt with attentive's browser-safe core and decodes greedily on the
 * TypeScript backend. Nothing here talks to the server once the files are loaded.
 */
import '../src/autograd/index.js';
import { getBackend } from '../src/backend/registry.js';
import { loadWeightsInto } from '../src/io/module-state.js';
import { decodeSafetensors } from '../src/io/safetensors.js';
import { createTranslationModel } from '../src/models/translation/registry.js';
import { translateIds } from '../src/models/translation/search.js';
import { TextPipeline, type TextPipelineConfig } from '../src/text/text-pipeline.js';
import { Bpe, type BpeJSON } from '../src/text/bpe.js';
import { Vocab, type VocabJSON } from '../src/text/vocab.js';
import { zhCharTokenizer } from '../src/text/zh-char-tokenizer.js';

export interface BrowserTranslation {
  text: string;
  logProb: number;
  milliseconds: number;
}

export interface BrowserTranslator {
  parameters: number;
  backend: string;
  bytes: number;
  translate(text: string): BrowserTranslation;
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      msg = ((await res.json()) as { error?: string }).error ?? msg;
    } catch { /* not JSON */ }
    throw new Error(`${url}: ${msg}`);
  }
  return res;
}

/** Loads the run whose files are served under `base` (…/api/runs/NAME/files/). */
export async function loadBrowserTranslator(base: string): Promise<BrowserTranslator> {
  const json = async <T>(name: string): Promise<T> => (await fetchOk(base + name)).json() as Promise<T>;
  const config = await json<{ type: string; model: Parameters<typeof createTranslationModel>[0]; text: TextPipelineConfig }>('config.json');
  if (config.type !== 'attentive-translate-run') throw new Error(`config.json is not a translation run (type ${JSON.stringify(config.type)})`);
  if (config.text.srcTokenizer !== 'char') {
    throw new Error("this run splits Chinese into words with jieba, which needs Node; runs with character tokens (the default) run in the page");
  }
  const [srcVocab, tgtVocab, bpe, srcBpe, weights] = await Promise.all([
    json<VocabJSON>('vocab.src.json'),
    json<VocabJSON>('vocab.tgt.json'),
    config.text.bpeMerges > 0 ? json<BpeJSON>('bpe.json') : Promise.resolve(null),
    (config.text.srcBpeMerges ?? 0) > 0 ? json<BpeJSON>('bpe.src.json') : Promise.resolve(null),
    fetchOk(base + 'model.safetensors').then((r) => r.arrayBuffer()),
  ]);
  const pipeline = new TextPipeline(config.text, zhCharTokenizer, Vocab.fromJSON(srcVocab), Vocab.fromJSON(tgtVocab), bpe ? Bpe.fromJSON(bpe) : null, srcBpe ? Bpe.fromJSON(srcBpe) : null);
  const model = createTranslationModel(config.model);
  loadWeightsInto(model, decodeSafetensors(new Uint8Array(weights)).tensors, 'model.safetensors');
  model.eval();
  return {
    parameters: model.numParameters(),
    backend: getBackend().name,
    bytes: weights.byteLength,
    translate(text: string): BrowserTranslation {
      const t0 = performance.now();
      const { ids } = pipeline.encodeSrc(text.trim());
      if (ids.length === 0) throw new Error('the text has no characters to translate');
      const [r] = translateIds(model, [ids.slice(0, 100)], { method: 'greedy' });
      const best = r.nBest[0];
      return { text: pipeline.decodeTgt(best.tokens), logProb: best.logProb, milliseconds: performance.now() - t0 };
    },
  };
}
