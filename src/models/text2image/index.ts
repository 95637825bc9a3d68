/** Text → image (browser-safe parts): the model, caption handling, the judge, batch drawing and scoring. */
export * from './model.js';
export * from './captions.js';
export * from './judge.js';
export * from './evaluate.js';
