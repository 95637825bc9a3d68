import { Command, InvalidArgumentError } from 'commander';
import '../autograd/index.js';
import { ATTENTION_KINDS, type AttentionKind } from '../models/seq2seq/config.js';
import { parseDataSpec } from '../data/corpus-node.js';
import { applyRecipe, defaultRecipe, loadRecipe, recipeNames } from '../models/translation/recipes-node.js';
import { translationModelKinds } from '../models/translation/registry.js';
import { trainTranslation, TRAIN_DEFAULTS, type TrainTranslationOptions } from '../models/translation/train-node.js';
import { existingFolderOption, intOption, numberOption, outputFolderOption, type NumberRange } from './validate.js';

const int = (name: string, range: NumberRange = { min: 0 }) => intOption(name, range);
const num = (name: string, range: NumberRange = { min: 0 }) => numberOption(name, range);

interface TrainTranslateFlags {
  recipe?: string; data?: string; model: string; attention: AttentionKind; out?: string; maxMinutes?: number; seed?: number;
  epochs?: number; batchSize?: number; hidden?: number; decoderHidden?: number; emb?: number; layers?: number; bidirectional?: boolean;
  dropout?: number; lr?: number; warmup?: number; clip?: number; labelSmoothing?: number; patience?: number; inputFeeding: boolean;
  tieEmbeddings?: boolean; srcTokenizer: 'char' | 'word'; bpe?: number; lowercase?: boolean; resume?: string; nPairs?: number;
  dataSeed?: number; validSentences?: number; beamSize?: number; lengthPenalty?: number; progress?: boolean; tgtMinFreq?: number;
  lrSchedule?: 'inverse-sqrt' | 'plateau' | 'linear' | 'wsd'; lrDecaySteps?: number; lrDecayFraction?: number; lrFinal?: number; lrDecay?: number; lrPatience?: number; selectBy?: 'bleu' | 'loss';
  maxSteps?: number; finalEvalSentences?: number; exactNodes?: number; exactSentences?: number; finalEvalSplits?: ('valid' | 'test')[];
  srcBpe?: number; dModel?: number; heads?: number; ff?: number; postLn?: boolean; shareEmbeddings?: boolean; adamBetas?: [number, number]; adamEps?: number;
}

/** `attentive train translate ...`: trains a Chinese→English seq2seq model into a run folder. */
export function registerTrainCommand(program: Command): void {
  // Other tasks may add their own `train <task>` subcommands to the same parent.
  const train = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('train a model (see the tasks below)');
  train
    .command('translate')
    .description('train a Chinese→English translation model (LSTM plain or with attention, Transformer, or another registered kind) from a named recipe and flags, and write a run folder')
    .option('--recipe <name>', `named recipe (${recipeNames().join(', ')}: the package's recipes/*.json); flags given override its values. ` +
      "Default: the recipe for --model on --data if there is one; 'none': the built-in defaults, which the defaults below name")
    .option('--data <spec>', "'embedded' (generated grammar corpus) or 'tatoeba:PATH' (cmn.txt file or folder with train/valid/test.tsv)")
    .option('--model <kind>', translationModelKinds().join(' | '), (v) => {
      const kinds = translationModelKinds();
      if (!kinds.includes(v)) throw new InvalidArgumentError(kinds.length === 2 ? `must be '${kinds[0]}' or '${kinds[1]}', got '${v}'` : `must be one of ${kinds.join(', ')}, got '${v}'`);
      return v;
    }, 'attention')
    .option('--attention <kind>', ATTENTION_KINDS.join(' | '), (v) => {
      if (!ATTENTION_KINDS.includes(v as AttentionKind)) throw new InvalidArgumentError(`must be one of ${ATTENTION_KINDS.join(', ')}, got '${v}'`);
      return v as AttentionKind;
    }, 'bahdanau')
    .option('--out <dir>', 'run folder (default runs/translate-<timestamp>)', outputFolderOption('--out'))
    .option('--max-minutes <m>', 'training time budget in minutes', num('--max-minutes'))
    .option('--max-steps <n>', 'stop after this many optimizer steps in total (a resumed run may raise it)', int('--max-steps'))
    .option('--seed <s>', `random seed (default ${TRAIN_DEFAULTS.seed})`, int('--seed'))
    .option('--epochs <n>', `maximum epochs (default ${TRAIN_DEFAULTS.epochs})`, int('--epochs'))
    .option('--batch-size <b>', `sentence pairs per batch (default ${TRAIN_DEFAULTS.batchSize})`, int('--batch-size', { min: 1 }))
    .option('--hidden <h>', 'encoder LSTM size per direction (default 128)', int('--hidden', { min: 1 }))
    .option('--decoder-hidden <h>', 'decoder LSTM size (default hidden × directions)', int('--decoder-hidden', { min: 1 }))
    .option('--emb <e>', 'embedding size, source and target (default 64)', int('--emb', { min: 1 }))
    .option('--layers <l>', 'LSTM layers (default 1)', int('--layers', { min: 1 }))
    .option('--bidirectional', 'bidirectional encoder')
    .option('--dropout <p>', 'dropout (default 0.1)', num('--dropout', { min: 0, below: 1 }))
    .option('--d-model <d>', 'transformer: model width (default 256); --layers sets encoder and decoder layers (default 3 each)', int('--d-model', { min: 1 }))
    .option('--heads <h>', 'transformer: attention heads (default 4)', int('--heads', { min: 1 }))
    .option('--ff <f>', 'transformer: feed-forward size (default 4 × d-model)', int('--ff', { min: 1 }))
    .option('--post-ln', 'transformer: post-LN as the paper (default pre-LN)')
    .option('--share-embeddings', 'transformer: one embedding matrix for source and target (needs a joint vocabulary)')
    .option('--adam-betas <b1,b2>', `Adam's moment decay rates (default ${TRAIN_DEFAULTS.adamBetas.join(',')})`, (v) => {
      const b = v.split(',').map(Number);
      if (b.length !== 2 || !b.every((x) => x >= 0 && x < 1)) throw new InvalidArgumentError(`must be two numbers in [0, 1) separated by a comma, got '${v}'`);
      return b as [number, number];
    })
    .option('--adam-eps <e>', `Adam's epsilon (default ${TRAIN_DEFAULTS.adamEps})`, num('--adam-eps', { above: 0 }))
    .option('--lr <lr>', `peak Adam learning rate (default ${TRAIN_DEFAULTS.lr})`, num('--lr', { above: 0 }))
    .option('--warmup <steps>', `warmup steps, then 1/sqrt(step) decay (default ${TRAIN_DEFAULTS.warmupSteps})`, int('--warmup'))
    .option('--lr-schedule <kind>', "'inverse-sqrt' (decay after warmup), 'plateau' (constant, × --lr-decay when validation loss stalls), 'linear' (down to --lr-final × lr at --lr-decay-steps) or 'wsd' (constant, then down to --lr-final × lr over the last --lr-decay-fraction of the time budget or epochs)", (v) => {
      if (v !== 'inverse-sqrt' && v !== 'plateau' && v !== 'linear' && v !== 'wsd') throw new InvalidArgumentError(`must be 'inverse-sqrt', 'plateau', 'linear' or 'wsd', got '${v}'`);
      return v;
    })
    .option('--lr-decay-steps <n>', 'linear schedule: the step at which lr reaches its floor', int('--lr-decay-steps'))
    .option('--lr-decay-fraction <f>', `wsd schedule: the final part of the run over which lr decays (default ${TRAIN_DEFAULTS.lrDecayFraction})`, num('--lr-decay-fraction', { above: 0, max: 1 }))
    .option('--lr-final <f>', 'linear and wsd schedules: the floor as a fraction of --lr (default 0)', num('--lr-final', { min: 0, max: 1 }))
    .option('--lr-decay <f>', `plateau schedule: lr multiplier (default ${TRAIN_DEFAULTS.lrDecay})`, num('--lr-decay', { above: 0, max: 1 }))
    .option('--lr-patience <n>', `plateau schedule: epochs without a lower validation loss tolerated before decaying (default ${TRAIN_DEFAULTS.lrPatience})`, int('--lr-patience'))
    .option('--select-by <metric>', "keep the checkpoint with the best validation 'bleu' (default) or 'loss'", (v) => {
      if (v !== 'bleu' && v !== 'loss') throw new InvalidArgumentError(`must be 'bleu' or 'loss', got '${v}'`);
      return v;
    })
    .option('--clip <norm>', `gradient-norm clipping (default ${TRAIN_DEFAULTS.clip})`, num('--clip'))
    .option('--label-smoothing <eps>', `label smoothing (default ${TRAIN_DEFAULTS.labelSmoothing})`, num('--label-smoothing', { min: 0, below: 1 }))
    .option('--patience <n>', `early stopping patience in epochs (default ${TRAIN_DEFAULTS.patience})`, int('--patience', { min: 1 }))
    .option('--no-input-feeding', 'do not feed the previous attentional vector into the decoder')
    .option('--tie-embeddings', 'share the target embedding with the output layer')
    .option('--src-tokenizer <kind>', 'char | word (jieba)', (v) => {
      if (v !== 'char' && v !== 'word') throw new InvalidArgumentError(`must be 'char' or 'word', got '${v}'`);
      return v;
    }, 'char')
    .option('--bpe <merges>', 'BPE merges on the English side (default 0: words)', int('--bpe'))
    .option('--src-bpe <merges>', 'BPE merges on the Chinese side, over --src-tokenizer units (default 0; useful with word)', int('--src-bpe'))
    .option('--lowercase', 'lowercase English before training')
    .option('--tgt-min-freq <n>', 'English tokens seen fewer times in training become <unk> (default 1)', int('--tgt-min-freq', { min: 1 }))
    .option('--n-pairs <n>', 'embedded corpus size (default 20000)', int('--n-pairs', { min: 1 }))
    .option('--data-seed <n>', 'embedded corpus seed (default 1)', int('--data-seed'))
    .option('--valid-sentences <n>', `validation sentences decoded after each epoch (default ${TRAIN_DEFAULTS.validBleuSentences})`, int('--valid-sentences'))
    .option('--final-eval-sentences <n>', 'cap on sentences per split in the final evaluation (default all)', int('--final-eval-sentences'))
    .option('--exact-nodes <n>', 'also decode the test split with exact search, this many nodes per sentence (default 0: skip)', int('--exact-nodes'))
    .option('--exact-sentences <n>', 'exact search only on the first n test sentences (default all)', int('--exact-sentences'))
    .option('--final-eval-splits <list>', "comma-separated splits of the final evaluation: valid,test (default both)", (v) => {
      const parts = v.split(',').map((x) => x.trim());
      for (const x of parts) if (x !== 'valid' && x !== 'test') throw new InvalidArgumentError(`splits are 'valid' and 'test', got '${x}'`);
      return parts as ('valid' | 'test')[];
    })
    .option('--beam-size <k>', `beam width of the final evaluation (default ${TRAIN_DEFAULTS.finalBeamSize})`, int('--beam-size', { min: 1 }))
    .option('--length-penalty <a>', `beam score of the final evaluation = logProb / length^a (default ${TRAIN_DEFAULTS.finalLengthPenalty})`, num('--length-penalty'))
    .option('--resume <dir>', 'continue a run from its last checkpoint (its saved settings are used, except --epochs, --max-minutes, --max-steps, --lr and the final-evaluation options; --epochs 0 only re-evaluates the saved model)', existingFolderOption('--resume'))
    .option('--no-progress', 'plain log lines instead of a progress bar')
    .action(async (f: TrainTranslateFlags, cmd: Command) => {
      // Only flags typed on the command line override a recipe; commander's defaults do not.
      const given = <K extends keyof TrainTranslateFlags>(k: K): TrainTranslateFlags[K] | undefined => (cmd.getOptionValueSource(k) === 'cli' ? f[k] : undefined);
      if (f.resume) {
        if (f.data) throw new Error('train translate: --resume continues with the run\'s own data; do not pass --data');
        if (f.recipe) throw new Error('train translate: --resume continues with the run\'s own settings; do not pass --recipe');
      }
      const recipe = f.resume || f.recipe === 'none' ? undefined
        : f.recipe ? loadRecipe(f.recipe)
        : f.data ? defaultRecipe(parseDataSpec(f.data).kind, f.model) : undefined;
      const data = f.data ? parseDataSpec(f.data, f.nPairs, f.dataSeed) : recipe?.options.data;
      if (!f.resume && !data) throw new Error("train translate: --data is required (embedded or tatoeba:PATH), or --resume RUN_DIR");
      const emb = given('emb');
      const flags: TrainTranslationOptions = {
        data: data ?? { kind: 'embedded' },
        resume: f.resume,
        out: f.out,
        model: (given('model') ?? (recipe?.options.model as { kind?: string } | undefined)?.kind ?? f.model) === 'transformer' ? {
          kind: recipe ? given('model') : f.model, dModel: f.dModel, heads: f.heads, dFf: f.ff, encoderLayers: f.layers, decoderLayers: f.layers,
          dropout: f.dropout, normFirst: f.postLn ? false : undefined, shareEmbeddings: f.shareEmbeddings,
        } : {
          kind: recipe ? given('model') : f.model, attention: given('attention'), hiddenSize: f.hidden, decoderHiddenSize: f.decoderHidden,
          srcEmbSize: emb, tgtEmbSize: emb, layers: f.layers, bidirectional: given('bidirectional'),
          dropout: f.dropout, inputFeeding: given('inputFeeding'), tieEmbeddings: given('tieEmbeddings'),
        } as TrainTranslationOptions['model'],
        text: { srcTokenizer: given('srcTokenizer'), bpeMerges: f.bpe, srcBpeMerges: f.srcBpe, lowercase: given('lowercase'), tgtMinFreq: f.tgtMinFreq },
        epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, adamBetas: f.adamBetas, adamEps: f.adamEps, warmupSteps: f.warmup, clip: f.clip, labelSmoothing: f.labelSmoothing,
        patience: f.patience, maxMinutes: f.maxMinutes, maxSteps: f.maxSteps, seed: f.seed, validBleuSentences: f.validSentences, finalBeamSize: f.beamSize, finalLengthPenalty: f.lengthPenalty,
        lrSchedule: f.lrSchedule, lrDecaySteps: f.lrDecaySteps, lrDecayFraction: f.lrDecayFraction, lrFinal: f.lrFinal, lrDecay: f.lrDecay, lrPatience: f.lrPatience, selectBy: f.selectBy,
        finalEvalSentences: f.finalEvalSentences, exactNodeBudget: f.exactNodes, exactSentences: f.exactSentences, finalEvalSplits: f.finalEvalSplits,
        progress: f.progress === false ? false : undefined,
      };
      if (recipe) console.log(`recipe ${recipe.name}: ${recipe.description}`);
      await trainTranslation(recipe ? applyRecipe(recipe, flags) : flags);
    });
}
