import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One file of the viewer's bundle, as the server serves it. */
export interface ViewerFile {
  /** Relative to the bundle's directory: `index.html`, `assets/viewer-…js`. */
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface ViewerBuild {
  readonly directory: string;
  readonly files: readonly ViewerFile[];
}

const ROOT = path.resolve(__dirname, '..');
const VIEWER = path.join(ROOT, 'viewer');
/** Where the page is served: its assets are named from here, so a reload of /viewer/ finds them. */
const PUBLIC_PATH = '/viewer/assets';

/**
 * Bundles the viewer (viewer/src, Preact and Chart.js) with esbuild into `directory`:
 * `index.html` and content-hashed files under `assets/`, so the server can let browsers cache
 * them for good. Everything the page runs is in these files; it fetches nothing else.
 */
export async function buildViewer(directory: string): Promise<ViewerBuild> {
  await rm(directory, { recursive: true, force: true });
  const assets = path.join(directory, 'assets');
  await mkdir(assets, { recursive: true });
  const result = await build({
    entryPoints: [path.join(VIEWER, 'src', 'main.tsx')],
    bundle: true,
    outdir: assets,
    entryNames: 'viewer-[hash]',
    // The chart's code is a chunk of its own, loaded after the first rows (CountsChart.tsx).
    splitting: true,
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    // The libraries' licence notices stay in the bundle that ships them.
    legalComments: 'eof',
    metafile: true,
    write: true,
    logLevel: 'warning',
    // graphql-sse's package entry also carries its server handler (and with it graphql-js);
    // the viewer needs only the client.
    alias: { 'graphql-sse': path.join(ROOT, 'node_modules', 'graphql-sse', 'lib', 'client.mjs') },
    tsconfig: path.join(VIEWER, 'tsconfig.json'),
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.resolve(ROOT, file));
  const js = outputs.find(
    (file) => path.basename(file).startsWith('viewer-') && file.endsWith('.js'),
  );
  const css = outputs.find((file) => file.endsWith('.css'));
  if (js === undefined || css === undefined) throw new Error('the viewer build made no JS or CSS');

  const icon = await readFile(path.join(VIEWER, 'favicon.svg'));
  const iconName = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
  await writeFile(path.join(assets, iconName), icon);

  const template = await readFile(path.join(VIEWER, 'index.html'), 'utf8');
  const html = template
    .replace('{{js}}', `${PUBLIC_PATH}/${path.basename(js)}`)
    .replace('{{css}}', `${PUBLIC_PATH}/${path.basename(css)}`)
    .replace('{{favicon}}', `${PUBLIC_PATH}/${iconName}`);
  await writeFile(path.join(directory, 'index.html'), html);

  const names = [
    'index.html',
    ...[...outputs, path.join(assets, iconName)].map((file) =>
      path.relative(directory, file).split(path.sep).join('/'),
    ),
  ];
  const files = await Promise.all(
    names.map(async (name) => {
      const content = await readFile(path.join(directory, name));
      return { name, bytes: content.length, gzipBytes: gzipSync(content).length };
    }),
  );
  return { directory, files };
}

/** `12.3 kB`, in the units bundle sizes are usually given in. */
function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

export function describeViewerBuild(built: ViewerBuild): string {
  const served = built.files;
  const width = Math.max(...served.map((file) => file.name.length));
  const lines = served.map(
    (file) =>
      `  ${file.name.padEnd(width)}  ${kilobytes(file.bytes).padStart(9)}  ${kilobytes(file.gzipBytes).padStart(9)} gzip`,
  );
  const total = served.reduce(
    (sum, file) => ({ bytes: sum.bytes + file.bytes, gzipBytes: sum.gzipBytes + file.gzipBytes }),
    { bytes: 0, gzipBytes: 0 },
  );
  return [
    `viewer built: ${served.length} files`,
    ...lines,
    `  ${'total'.padEnd(width)}  ${kilobytes(total.bytes).padStart(9)}  ${kilobytes(total.gzipBytes).padStart(9)} gzip`,
  ].join('\n');
}

if (require.main === module) {
  const directory = path.resolve(ROOT, process.argv[2] ?? path.join('dist', 'viewer'));
  buildViewer(directory)
    .then((built) => console.log(describeViewerBuild(built)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
