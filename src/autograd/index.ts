export * from './ops/index.js';
export { backward, record, type BackwardOptions } from './engine.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './grad-mode.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './anomaly.js';
export { gradcheck, GRADCHECK_DEFAULTS, type GradcheckOptions } from './gradcheck.js';
import './methods.js';
