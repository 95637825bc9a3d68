export * as seq2seq from './seq2seq/index.js';
export * from './seq2seq/search.js';
export * from './seq2seq/evaluate.js';
export * from './rbm.js';
export * from './autoencoder.js';
export * from './pretrain.js';
export * from './mlp.js';
export * from './train-classifier.js';
export * as caption from './caption/index.js';
