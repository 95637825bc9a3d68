export * from './safetensors.js';
export * from './named-arrays.js';
export * from './state-dict.js';
export * from './files-node.js';
export * from './checkpoint-node.js';
export * from './run-folder-node.js';
