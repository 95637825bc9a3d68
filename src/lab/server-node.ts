/**
 * The lab's web server: the page (built into dist/lab-web at install), a small JSON API over the
 * runs folder, and server-sent events for live training. Only Node's http module: the API has a
 * dozen routes and no framework would make them shorter or safer to read.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';
import { Jobs, type LabEvent } from './jobs-node.js';
import {
  captionWithRun, describeRun, drawWithLabRun, insideData, listRuns, parseCaptionRequest, parseDrawRequest, parseTranslateRequest, RECIPES,
  RequestError, RUN_GROUP_SEP, runPath, sceneList, translateWithRun, type RunInfo,
} from './models-node.js';

export interface LabOptions {
  /** Folder of run folders (default ./runs). */
  runsDir?: string;
  port?: number;
  host?: string;
  /** Folder of the built page (default dist/lab-web of this package). */
  webDir?: string;
  /** Largest request body in bytes (default 64 KiB). */
  maxBody?: number;
  /** Largest body of POST /api/caption, which may carry an uploaded PNG as base64 (default 2 MiB). */
  maxUpload?: number;
}

export interface Lab {
  server: Server;
  url: string;
  runsDir: string;
  jobs: Jobs;
  close(): Promise<void>;
}

/** dist/lab-web of this package, whether running from dist/ or from src/ under tsx. */
export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../dist/lab-web/', import.meta.url));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.en': 'text/plain; charset=utf-8', '.safetensors': 'application/octet-stream', '.map': 'application/json; charset=utf-8',
};

/** Names a request may use for a run folder or a file: no separators, no leading dot. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,159}$/;

function checkName(what: string, name: string): string {
  // a run may sit one level down in a group folder: 'group~run', each part a plain name
  const parts = what === 'run' ? name.split(RUN_GROUP_SEP) : [name];
  if (parts.length > 2 || parts.some((p) => !NAME_RE.test(p) || p.includes('..'))) {
    throw new RequestError(`${what} ${JSON.stringify(name)} is not allowed: use letters, digits, '.', '_' and '-' only, without '..' or '/' (a run inside a group folder: 'group~run')`);
  }
  return name;
}

/** `base/name` after following symlinks, or a 403 when that leaves `base`. */
function inside(base: string, name: string): string {
  const path = join(base, name);
  if (!existsSync(path)) return path;
  const real = realpathSync(path);
  const realBase = realpathSync(base);
  if (real !== realBase && !real.startsWith(realBase + sep)) throw new RequestError(`${JSON.stringify(name)} leads outside the runs folder`, 403);
  return path;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendFile(res: ServerResponse, path: string, req: IncomingMessage): void {
  const st = statSync(path);
  res.writeHead(200, {
    'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'content-length': st.size,
    'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(path).pipe(res);
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new RequestError(`request body of ${declared} bytes is over the limit of ${limit} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new RequestError(`request body is over the limit of ${limit} bytes`, 413);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RequestError(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Starts the lab server; resolves once it listens. */
export async function startLab(o: LabOptions = {}): Promise<Lab> {
  const runsDir = resolve(o.runsDir ?? 'runs');
  const webDir = resolve(o.webDir ?? defaultWebDir());
  const maxBody = o.maxBody ?? 64 * 1024;
  const maxUpload = o.maxUpload ?? 2 * 1024 * 1024;
  const host = o.host ?? '127.0.0.1';
  const jobs = new Jobs(runsDir);
  const streams = new Set<ServerResponse>();

  const runInfo = (name: string): { dir: string; info: RunInfo } => {
    checkName('run', name);
    const dir = inside(runsDir, relative(runsDir, runPath(runsDir, name)));
    const info = describeRun(dir, name);
    if (!info) throw new RequestError(`no run '${name}' in ${runsDir}`, 404);
    return { dir, info };
  };

  const withJob = (infos: RunInfo[]) => {
    const running = jobs.running();
    return infos.map((r) => ({ ...r, training: running?.run === r.name }));
  };

  const api = async (req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> => {
    const m = req.method;
    // Odd positions hold names (runs/NAME/files/FILE, jobs/ID/stop); 'jobs/current' is literal.
    const path = parts.join('/') === 'jobs/current' ? 'jobs/current' : parts.map((p, i) => (i % 2 === 1 ? ':' : p)).join('/');
    const route = `${m} ${path}`;
    switch (route) {
      case 'GET runs':
        return sendJson(res, 200, { runsDir, version: VERSION, runs: withJob(listRuns(runsDir)) });
      case 'GET recipes':
        return sendJson(res, 200, { recipes: RECIPES });
      case 'GET runs/:': {
        const { info } = runInfo(parts[1]);
        return sendJson(res, 200, withJob([info])[0]);
      }
      case 'GET runs/:/inside': {
        const { dir, info } = runInfo(parts[1]);
        return sendJson(res, 200, insideData(dir, info));
      }
      case 'GET runs/:/files/:':
      case 'HEAD runs/:/files/:': {
        const { dir, info } = runInfo(parts[1]);
        const file = checkName('file', parts[3]);
        if (!info.files.includes(file)) throw new RequestError(`run '${info.name}' has no file '${file}'`, 404);
        return sendFile(res, inside(dir, file), req);
      }
      case 'POST translate': {
        const body = parseTranslateRequest(await readBody(req, maxBody));
        const { dir } = runInfo(body.run);
        return sendJson(res, 200, await translateWithRun(dir, body));
      }
      case 'GET scenes':
        return sendJson(res, 200, { split: 'test', scenes: sceneList() });
      case 'POST caption': {
        const body = parseCaptionRequest(await readBody(req, maxUpload));
        const { dir } = runInfo(body.run);
        return sendJson(res, 200, await captionWithRun(dir, body));
      }
      case 'POST draw': {
        const body = parseDrawRequest(await readBody(req, maxBody));
        const { dir } = runInfo(body.run);
        return sendJson(res, 200, await drawWithLabRun(dir, body));
      }
      case 'POST train': {
        const body = await readBody(req, maxBody);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError('train: the body must be a JSON object');
        const b = body as Record<string, unknown>;
        return sendJson(res, 202, jobs.start(b.recipe, b.params));
      }
      case 'GET jobs/current':
        return sendJson(res, 200, { job: jobs.current() });
      case 'POST jobs/:/stop':
        return sendJson(res, 200, jobs.stop(parts[1]));
      case 'GET jobs/:/events': {
        const id = parts[1];
        if (!jobs.has(id)) throw new RequestError(`no job '${id}'`, 404);
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': attentive lab\n\n');
        streams.add(res);
        let unsubscribe = () => {};
        const end = () => {
          unsubscribe();
          clearInterval(beat);
          streams.delete(res);
          res.end();
        };
        const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        unsubscribe = jobs.subscribe(id, (e: LabEvent) => {
          res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
          if (e.type === 'state' && e.status.state !== 'running') setImmediate(end);
        });
        if (!jobs.isRunning(id)) setImmediate(end);
        req.on('close', end);
        return;
      }
      default: {
        const known = ['GET runs', 'GET recipes', 'GET runs/:', 'GET runs/:/inside', 'GET runs/:/files/:', 'POST translate', 'GET scenes', 'POST caption', 'POST draw', 'POST train', 'GET jobs/current', 'POST jobs/:/stop', 'GET jobs/:/events'];
        const methods = known.filter((k) => k.endsWith(` ${path}`)).map((k) => k.split(' ')[0]);
        if (methods.length > 0) {
          res.setHeader('allow', methods.join(', '));
          throw new RequestError(`${m} is not allowed on /api/${parts.join('/')} (use ${methods.join(' or ')})`, 405);
        }
        throw new RequestError(`no API route /api/${parts.join('/')}`, 404);
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    } catch {
      throw new RequestError(`malformed path ${JSON.stringify(url.pathname)}`);
    }
    // A page from another site must not drive a local training server (the browser sends Origin on cross-site POSTs).
    const origin = req.headers.origin;
    const originHost = (() => {
      try {
        return origin ? new URL(origin).host : null;
      } catch {
        return '';
      }
    })();
    if (req.method !== 'GET' && req.method !== 'HEAD' && originHost !== null && originHost !== req.headers.host) {
      throw new RequestError(`cross-origin ${req.method} from ${req.headers.origin} refused`, 403);
    }
    if (parts[0] === 'api') return api(req, res, parts.slice(1));
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new RequestError(`${req.method} is not allowed here`, 405);
    if (parts.some((p) => p === '..' || p.includes('/') || p.includes('\\') || p.includes('\0'))) throw new RequestError('path traversal refused', 403);
    const name = parts.length === 0 ? 'index.html' : parts.join('/');
    const path = resolve(webDir, name);
    if (!path.startsWith(webDir + sep)) throw new RequestError('path traversal refused', 403);
    if (!existsSync(path) || !statSync(path).isFile()) {
      if (name === 'index.html') {
        throw new RequestError(`the lab page is not built (${webDir} is missing): run 'npm run build' in the attentive folder`, 500);
      }
      throw new RequestError(`no file /${name}`, 404);
    }
    return sendFile(res, path, req);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof RequestError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (res.headersSent) {
        res.end();
        return;
      }
      sendJson(res, status, { error: message });
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((ok, fail) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') fail(new Error(`lab: port ${o.port ?? 8080} on ${host} is already in use; choose another with --port (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') fail(new Error(`lab: cannot listen on ${host}: ${e.message}`));
      else fail(e);
    };
    server.once('error', onError);
    server.listen(o.port ?? 8080, host, () => {
      server.off('error', onError);
      ok();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server, runsDir, jobs, url: `http://${shownHost}:${addr.port}/`,
    close: () => new Promise<void>((ok) => {
      jobs.close();
      for (const s of streams) s.end();
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}
