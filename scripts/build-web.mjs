// Builds the lab page into dist/lab-web: web/app.ts bundled with esbuild (it pulls in the
// browser-safe core from src/), plus the HTML and CSS. Run by `npm run build`.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes the page into `outDir` (default dist/lab-web); returns the folder. */
export async function buildWeb(outDir = join(ROOT, 'dist', 'lab-web')) {
  const { build } = await import('esbuild');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'web', 'app.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, sourcemap: true,
    logLevel: 'warning', legalComments: 'none',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'web', f), join(outDir, f));
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await import('esbuild');
  } catch {
    // An install without dev dependencies gets a lab without its page, and says so.
    console.warn('build-web: esbuild is not installed (dev dependency); the lab page was not built');
    process.exit(0);
  }
  const dir = await buildWeb();
  console.log(`build-web: lab page written to ${dir}`);
}
