import { resolveCaptionConfig, type CaptionConfig } from './config.js';
import type { CaptionModel } from './model.js';
import { ShowAttendTell } from './show-attend-tell.js';
import { ShowTell } from './show-tell.js';

/** The captioner a config describes (defaults filled in). */
export function buildCaptionModel(config: Parameters<typeof resolveCaptionConfig>[0]): CaptionModel {
  const c = resolveCaptionConfig(config);
  return c.model === 'attention' ? new ShowAttendTell(c) : new ShowTell(c);
}
