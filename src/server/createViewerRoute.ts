import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { allowMethod } from './allowMethod';
import type { CodedBody } from './sendCodedBody';
import { sendCodedBody } from './sendCodedBody';
import { sendError } from './sendError';
import { splitUrl } from './splitUrl';

const gzipAsync = promisify(gzip);

export const VIEWER_PATH = '/viewer';
const ASSETS_PREFIX = `${VIEWER_PATH}/assets/`;

/**
 * The viewer runs only what it was bundled with: scripts, styles, fonts and requests of its own
 * origin, no inline code, no framing by another site, no form posted anywhere, no `<base>` to
 * move its relative URLs. `data:` images only, for the few icons a stylesheet inlines.
 */
export const VIEWER_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * What every answer under `/viewer` carries, its errors too: the policy above, no sniffing a
 * script out of another type, no Referer (the page's URL holds the user's filters), and a
 * browsing context and resources no other origin shares.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': VIEWER_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const PAGE_TYPE = 'text/html; charset=utf-8';

/**
 * The types of the assets served, by extension. A file of any other (a source map, a stray
 * `.html`) is not loaded: the browser needs none, and a source map would ship the sources.
 */
const ASSET_TYPES: ReadonlyMap<string, string> = new Map([
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.woff2', 'font/woff2'],
  ['.json', 'application/json; charset=utf-8'],
]);

/** The page revalidates on every load, so a release shows at once (as GraphiQL's does). */
const PAGE_CACHE = 'no-cache';
/** Assets have content-hashed names: a new build gives new names, so a year is safe. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** One file of the bundle, in both codings, each with its own strong validator. */
interface ViewerFile extends CodedBody {
  readonly contentType: string;
  readonly cacheControl: string;
}

/** Serves one request under `/viewer` (isViewerPath). */
export type ViewerRoute = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface ViewerRouteHandle {
  readonly route: ViewerRoute;
  /** Whether a bundle was found: false when `/viewer` answers VIEWER_NOT_BUILT. */
  readonly built: boolean;
  /** How many files are served (index.html and the assets); 0 when not built. */
  readonly files: number;
}

/**
 * `/viewer`: the viewer's bundle (scripts/buildViewer.ts writes it, `npm run build` into
 * dist/viewer), read once when the server starts and served from memory, each file in both
 * codings. Only the files found then are served, looked up by their URL path in a map, so no
 * URL (`..`, percent-encoded or not) can reach any other file. With no bundle (no `index.html`
 * in `directory`) the route answers 503 VIEWER_NOT_BUILT and the rest of the server is unaffected:
 * a service built without its viewer still serves its API.
 */
export async function createViewerRoute(directory: string): Promise<ViewerRouteHandle> {
  const files = await loadBundle(directory);
  const built = files.size > 0;
  const route: ViewerRoute = async (request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (!allowMethod(request, response, ['GET', 'HEAD'])) return;
    if (!built) {
      sendError(
        response,
        503,
        'VIEWER_NOT_BUILT',
        "The viewer's bundle is not built; npm run build builds it.",
      );
      return;
    }
    const { path: urlPath } = splitUrl(request.url);
    const file = files.get(urlPath === `${VIEWER_PATH}/` ? VIEWER_PATH : urlPath);
    if (file === undefined) {
      sendError(response, 404, 'NOT_FOUND', 'Not found.');
      return;
    }
    await sendFile(request, response, file);
  };
  return { route, built, files: files.size };
}

/** Whether the viewer's route answers `urlPath`: `/viewer`, `/viewer/` and everything below. */
export function isViewerPath(urlPath: string): boolean {
  return urlPath === VIEWER_PATH || urlPath.startsWith(`${VIEWER_PATH}/`);
}

/**
 * The bundle's files by the URL path each is served at: `/viewer` for `index.html`, then
 * `/viewer/assets/<name>` for each file directly under `assets/` of a type served. Empty when
 * `index.html` cannot be read; an asset that cannot be read fails the start, since the page
 * would then load without it.
 */
async function loadBundle(directory: string): Promise<Map<string, ViewerFile>> {
  const files = new Map<string, ViewerFile>();
  const page = await readFile(path.join(directory, 'index.html')).catch(() => null);
  if (page === null) return files;
  files.set(VIEWER_PATH, await toViewerFile(page, PAGE_TYPE, PAGE_CACHE));
  const assets = path.join(directory, 'assets');
  const entries = await readdir(assets, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const contentType = ASSET_TYPES.get(path.extname(entry.name).toLowerCase());
    if (!entry.isFile() || contentType === undefined) continue;
    const content = await readFile(path.join(assets, entry.name));
    files.set(
      `${ASSETS_PREFIX}${entry.name}`,
      await toViewerFile(content, contentType, ASSET_CACHE),
    );
  }
  return files;
}

/** Gzipped once, here, and validated by a digest of the bytes (as renderGraphiqlPage does). */
async function toViewerFile(
  identity: Buffer,
  contentType: string,
  cacheControl: string,
): Promise<ViewerFile> {
  const digest = createHash('sha256').update(identity).digest('base64url').slice(0, 27);
  return {
    contentType,
    cacheControl,
    identity,
    identityEtag: `"${digest}"`,
    gzip: await gzipAsync(identity),
    // One validator per coding: a cache must not answer a gzip request with the identity body.
    gzipEtag: `"${digest}-gz"`,
  };
}

async function sendFile(
  request: IncomingMessage,
  response: ServerResponse,
  file: ViewerFile,
): Promise<void> {
  response.setHeader('content-type', file.contentType);
  response.setHeader('cache-control', file.cacheControl);
  response.setHeader('vary', 'Accept-Encoding');
  await sendCodedBody(request, response, file);
}
