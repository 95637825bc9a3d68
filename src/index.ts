/**
 * The Node.js entry point: everything in the core plus file I/O, checkpoints, PNG output, Chinese
 * word segmentation, Tatoeba loading and the native backend (selected automatically when its addon
 * loads; ATTENTIVE_BACKEND=js|native overrides).
 */
export * from './core.js';
export * as io from './io/index-node.js';
export * as png from './viz/png-node.js';
export { writeImageGridPng } from './viz/image-grid-node.js';
export { jiebaTokenizer } from './text/jieba-node.js';
export { sourceTokenizer, pipelineFromState } from './text/text-pipeline-node.js';
export { loadTatoeba } from './data/tatoeba-node.js';
export { selectBackend, backendInfo } from './backend/select-node.js';
import { selectBackend } from './backend/select-node.js';

selectBackend();
export { trainTranslation, type TrainTranslationOptions, type TrainSummary } from './models/translation/train-node.js';
export { loadRun, loadRunConfig, RUN_FILES, type RunConfig } from './models/translation/run-node.js';
export { train, TRAIN_FILES, NonFiniteLossError, type TrainSetup, type TrainResult, type BatchSource, type Evaluation } from './train/trainer-node.js';
export { loadCorpus, parseDataSpec, type DataSpec, type Pair } from './data/corpus-node.js';
export { applyRecipe, defaultRecipe, listRecipes, loadRecipe, readRecipe, recipeNames, RECIPES_DIR, type Recipe, type RecipeOptions } from './models/translation/recipes-node.js';
export { loadMnist } from './data/mnist-node.js';
export { generateScenes, loadSceneDigits, SCENE_SPLITS, type SceneSplit } from './data/digit-scenes-node.js';
export { readScenePng, writeScenePng } from './data/scene-png-node.js';
export { trainCaption, loadCaptionRun, type TrainCaptionOptions, type CaptionSummary } from './models/caption/train-node.js';
export { trainText2Image, T2I_TRAIN_DEFAULTS, type Text2ImageTrainOptions, type Text2ImageSummary } from './models/text2image/train-node.js';
export { loadText2ImageRun, drawWithRun, T2I_RUN_FILES, type Text2ImageRun, type Text2ImageRunConfig } from './models/text2image/run-node.js';
