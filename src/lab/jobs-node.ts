/**
 * Training jobs of the lab: one at a time, each in its own child process (worker-node.ts), so a
 * long or crashing run never blocks or takes down the server. Every event a job reports is kept,
 * so a page that connects late (or reconnects) replays the whole run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobEvent, JobState, JobStatus, LabEvent } from './api.js';
import { RECIPES, RequestError, parseRecipeParams } from './models-node.js';

export type { JobState, JobStatus, LabEvent } from './api.js';

const MAX_LOG_EVENTS = 2000;

class Job {
  readonly events: LabEvent[] = [];
  readonly listeners = new Set<(e: LabEvent) => void>();
  child: ChildProcess | null = null;
  private logs = 0;

  constructor(readonly status: JobStatus) {}

  emit(e: LabEvent): void {
    if (e.type === 'log') {
      if (e.line === '') return;
      // Long runs print many lines; the page needs the recent ones, the charts need every other event.
      if (++this.logs > MAX_LOG_EVENTS) {
        const i = this.events.findIndex((x) => x.type === 'log');
        if (i >= 0) this.events.splice(i, 1);
      }
    }
    this.events.push(e);
    for (const l of this.listeners) l(e);
  }

  setState(state: JobState, error: string | null = null): void {
    if (this.status.state !== 'running') return;
    this.status.state = state;
    this.status.ended = Date.now();
    this.status.error = error;
    if (state === 'done') {
      this.status.fraction = 1;
      this.status.etaSeconds = 0;
    }
    this.emit({ type: 'state', status: { ...this.status } });
  }
}

function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ts = here.endsWith('.ts');
  // The same heap flags as the CLI: training allocates much short-lived tensor storage.
  const heap = process.env.ATTENTIVE_HEAP_FLAGS === '0' ? [] : ['--max-semi-space-size=64', '--initial-old-space-size=2048'];
  return { file: join(dirname(here), ts ? 'worker-node.ts' : 'worker-node.js'), execArgv: [...heap, ...(ts ? ['--import', 'tsx'] : [])] };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** The lab's training jobs (at most one running). */
export class Jobs {
  private jobs = new Map<string, Job>();
  private latest: Job | null = null;
  private counter = 0;

  constructor(readonly runsDir: string) {}

  /** The running job, or else the last one that ran; null before the first. */
  current(): JobStatus | null {
    return this.latest ? { ...this.latest.status } : null;
  }

  running(): JobStatus | null {
    return this.latest?.status.state === 'running' ? { ...this.latest.status } : null;
  }

  /** Starts a recipe in a new run folder; a second job while one runs is refused (409). */
  start(recipeId: unknown, rawParams: unknown): JobStatus {
    const busy = this.running();
    if (busy) throw new RequestError(`a training job is already running (${busy.recipe} into '${busy.run}', ${Math.round(busy.fraction * 100)} % done); stop it or wait for it to finish`, 409);
    const recipe = RECIPES.find((r) => r.id === recipeId);
    if (!recipe) throw new RequestError(`train: unknown recipe ${JSON.stringify(recipeId)} (recipes: ${RECIPES.map((r) => r.id).join(', ')})`);
    const params = parseRecipeParams(recipe, rawParams);
    if (recipe.id === 'translate-tatoeba' && !existsSync(join(this.runsDir, params.file as string))) {
      throw new RequestError(`train: no file '${params.file}' in the runs folder ${this.runsDir}; put the Tatoeba cmn.txt there first`);
    }
    mkdirSync(this.runsDir, { recursive: true });
    let run = `${recipe.prefix}-${timestamp()}`;
    for (let k = 2; existsSync(join(this.runsDir, run)); k++) run = `${recipe.prefix}-${timestamp()}-${k}`;
    const id = `job-${++this.counter}`;
    const job = new Job({
      id, recipe: recipe.id, run, params, state: 'running', started: Date.now(), ended: null, fraction: 0, etaSeconds: null, error: null, pid: null,
    });
    this.jobs.set(id, job);
    this.latest = job;
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    job.child = child;
    job.status.pid = child.pid ?? null;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    child.on('message', (e: JobEvent) => {
      if (e.type === 'progress') {
        job.status.fraction = e.fraction;
        const elapsed = (Date.now() - job.status.started) / 1000;
        job.status.etaSeconds = e.fraction > 0 ? Math.max(0, elapsed * (1 - e.fraction) / e.fraction) : null;
      }
      job.emit(e);
      if (e.type === 'done') job.setState('done');
      if (e.type === 'error') job.setState('failed', e.message);
    });
    child.on('error', (err) => job.setState('failed', `the training process failed: ${err.message}`));
    child.on('exit', (code, signal) => {
      job.child = null;
      job.status.pid = null;
      if (job.status.state !== 'running') return;
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      job.setState('failed', `the training process ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`);
    });
    child.send({ recipe: recipe.id, params, runDir: join(this.runsDir, run), runsDir: this.runsDir });
    job.emit({ type: 'state', status: { ...job.status } });
    return { ...job.status };
  }

  /** Stops a running job; its run folder keeps what it saved (last/, the best model so far). */
  stop(id: string): JobStatus {
    const job = this.jobs.get(id);
    if (!job) throw new RequestError(`no job '${id}'`, 404);
    if (job.status.state === 'running') {
      job.setState('stopped');
      job.child?.kill('SIGTERM');
    }
    return { ...job.status };
  }

  /** Replays a job's events to `listener`, then follows it; returns the unsubscribe function. */
  subscribe(id: string, listener: (e: LabEvent) => void): () => void {
    const job = this.jobs.get(id);
    if (!job) throw new RequestError(`no job '${id}'`, 404);
    for (const e of job.events) listener(e);
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  isRunning(id: string): boolean {
    return this.jobs.get(id)?.status.state === 'running';
  }

  /** Ends every running job (the server is closing). */
  close(): void {
    for (const j of this.jobs.values()) {
      if (j.status.state === 'running') this.stop(j.status.id);
    }
  }
}
