export * from './heatmap.js';
export * from './text-heatmap.js';
export * from './line-plot.js';
export * from './bar-chart.js';
export * from './beam-tree.js';
export * from './image-grid.js';
export * from './colormap.js';
export * from './east-asian-width.js';
