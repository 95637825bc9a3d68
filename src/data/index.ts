export * from './mulberry32.js';
export * from './zh-numbers.js';
export * from './zh-en-grammar.js';
export * from './split-pairs.js';
export * from './tatoeba.js';
export * from './batching.js';
export * from './two-moons.js';
