export * from './load.js';
export * from './series.js';
export * from './counter-rate.js';
export * from './header.js';
export * from './view.js';
export * from './html.js';
export * from './report.js';
export { downsample, nearestIndex } from './page/downsample.js';
