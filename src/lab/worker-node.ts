/**
 * Child process of one training job: receives { recipe, params, runDir, runsDir } from the lab
 * server, runs the recipe and sends back its events. A crash here ends this process only; the
 * server reports it on the page.
 */
import { selectBackend } from '../backend/select-node.js';
import { runRecipe, type JobEvent } from './models-node.js';

interface Start {
  recipe: string;
  params: Record<string, number | string>;
  runDir: string;
  runsDir: string;
}

const send = (e: JobEvent): Promise<void> => new Promise((resolve) => {
  if (!process.send) return resolve();
  process.send(e, undefined, undefined, () => resolve());
});

// A lab server that goes away takes its job with it (no orphaned training).
process.on('disconnect', () => process.exit(1));

process.once('message', async (m: Start) => {
  let code = 0;
  // Messages leave in order, so waiting for the last one's callback flushes them all.
  let last = Promise.resolve();
  try {
    selectBackend();
    await runRecipe(m.recipe, m.params, m.runDir, m.runsDir, (e) => { last = send(e); });
  } catch (err) {
    last = send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    code = 1;
  }
  await last;
  process.exit(code);
});
