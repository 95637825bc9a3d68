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
export { loadTatoeba } from './data/tatoeba-node.js';
export { selectBackend, backendInfo } from './backend/select-node.js';
import { selectBackend } from './backend/select-node.js';

selectBackend();
export { trainTranslation, type TrainTranslationOptions, type TrainSummary } from './models/seq2seq/train-node.js';
export { loadRun } from './models/seq2seq/run-node.js';
export { loadMnist } from './data/mnist-node.js';
export { generateScenes, loadSceneDigits, SCENE_SPLITS, type SceneSplit } from './data/digit-scenes-node.js';
export { readScenePng, writeScenePng } from './data/scene-png-node.js';
export { trainCaption, loadCaptionRun, type TrainCaptionOptions, type CaptionSummary } from './models/caption/train-node.js';
