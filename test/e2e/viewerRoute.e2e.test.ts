import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VIEWER_CONTENT_SECURITY_POLICY } from '../../src/server/createViewerRoute';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';
import { json, send, type RawResponse } from '../unit/server/httpTestClient';

/**
 * `/viewer` end to end: the service started as `npm start` starts it, serving a bundle the test
 * writes (the shape scripts/buildViewer.ts writes: `index.html` and content-hashed files under
 * `assets/`), read with node:http so that paths go out exactly as written (fetch would resolve
 * `..`) and gzip is seen as sent.
 */

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>auditgraph viewer</title>
    <link rel="icon" href="/viewer/assets/favicon-0a1b2c3d.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/viewer/assets/app-abc123.css" />
    <script type="module" src="/viewer/assets/app-abc123.js"></script>
  </head>
  <body><div id="app"></div></body>
</html>
`;
/** Long and repetitive, so that its gzip coding is much smaller than it. */
const SCRIPT = Array.from(
  { length: 400 },
  (_, index) => `export const row${index} = document.createElement('li'); // ${index}\n`,
).join('');
const STYLE = 'body { margin: 0; font-family: system-ui; }\n'.repeat(50);
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle r="8"/></svg>';
const SOURCE_MAP = '{"version":3,"sources":["../src/secret-source.tsx"],"mappings":"AAAA"}';

const SECURITY_HEADERS = {
  'content-security-policy': VIEWER_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
const GZIP = { 'accept-encoding': 'gzip, deflate, br' };

let root: string;
let viewerDirectory: string;

async function writeBundle(directory: string): Promise<void> {
  await mkdir(path.join(directory, 'assets', 'nested'), { recursive: true });
  await writeFile(path.join(directory, 'index.html'), PAGE);
  await writeFile(path.join(directory, 'assets', 'app-abc123.js'), SCRIPT);
  await writeFile(path.join(directory, 'assets', 'app-abc123.js.map'), SOURCE_MAP);
  await writeFile(path.join(directory, 'assets', 'app-abc123.css'), STYLE);
  await writeFile(path.join(directory, 'assets', 'favicon-0a1b2c3d.svg'), ICON);
  // Neither a type the viewer serves nor a file directly under assets/: none is served.
  await writeFile(path.join(directory, 'assets', 'notes.txt'), 'not served');
  await writeFile(path.join(directory, 'assets', 'nested', 'deep.js'), 'export {};');
  // Beside the bundle, where a traversal would go.
  await writeFile(path.join(directory, 'secret.txt'), 'top secret');
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'auditgraph-viewer-route-'));
  viewerDirectory = path.join(root, 'viewer');
  await writeBundle(viewerDirectory);
  await writeFile(path.join(root, 'outside.txt'), 'outside the bundle');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function expectSecurityHeaders(response: RawResponse): void {
  expect(response.headers).toMatchObject(SECURITY_HEADERS);
}

function expectNotFound(response: RawResponse): void {
  expect([response.status, json(response)]).toEqual([
    404,
    { errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] },
  ]);
}

describe('GET /viewer with a built bundle', () => {
  let app: Auditgraph;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    app = await startAuditgraph(
      { ...DEMO_CONFIG },
      {
        log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
        viewerDirectory,
      },
    );
  });
  afterAll(() => app.close());

  it('says at start-up that the viewer is served, and which files were loaded', () => {
    // index.html, the script, the stylesheet and the icon: no source map, .txt or nested file.
    expect(lines.filter((line) => String(line.msg).startsWith('viewer'))).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'viewer served',
        path: '/viewer',
        built: true,
        files: 4,
        directory: viewerDirectory,
      }),
    ]);
  });

  it('serves index.html at /viewer and /viewer/, revalidated on every load', async () => {
    for (const target of ['/viewer', '/viewer/', '/viewer?range=24h&sources=fastly']) {
      const response = await send(app.url, { path: target });
      expect([target, response.status]).toEqual([target, 200]);
      expect(response.text).toBe(PAGE);
      expect(response.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        vary: 'Accept-Encoding',
        'content-length': String(Buffer.byteLength(PAGE)),
      });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expectSecurityHeaders(response);
    }
  });

  it('sends the CSP that allows only the page’s own origin, verbatim', async () => {
    const response = await send(app.url, { path: '/viewer' });
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(VIEWER_CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('gzips the page for a client that takes gzip, with a validator of its own', async () => {
    const identity = await send(app.url, { path: '/viewer' });
    const zipped = await send(app.url, { path: '/viewer', headers: GZIP });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-length']).toBe(String(zipped.body.length));
    expect(gunzipSync(zipped.body).equals(Buffer.from(PAGE))).toBe(true);
    expect(zipped.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}-gz"$/);
    expect(zipped.headers.etag).not.toBe(identity.headers.etag);
    expectSecurityHeaders(zipped);
    // Refused by weight: the identity coding.
    const refused = await send(app.url, {
      path: '/viewer',
      headers: { 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.text).toBe(PAGE);
  });

  it('answers 304 to If-None-Match of the current tag, per coding', async () => {
    const identity = await send(app.url, { path: '/viewer' });
    const zipped = await send(app.url, { path: '/viewer', headers: GZIP });
    const again = await send(app.url, {
      path: '/viewer',
      headers: { 'if-none-match': identity.headers.etag! },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(identity.headers.etag);
    expectSecurityHeaders(again);
    const zippedAgain = await send(app.url, {
      path: '/viewer',
      headers: { ...GZIP, 'if-none-match': `"other", W/${zipped.headers.etag!}` },
    });
    expect(zippedAgain.status).toBe(304);
    // The identity tag does not validate the gzip coding, nor an old tag the page.
    const crossed = await send(app.url, {
      path: '/viewer',
      headers: { ...GZIP, 'if-none-match': identity.headers.etag! },
    });
    expect(crossed.status).toBe(200);
    expect(gunzipSync(crossed.body).toString('utf8')).toBe(PAGE);
    const stale = await send(app.url, {
      path: '/viewer',
      headers: { 'if-none-match': '"AAAAAAAAAAAAAAAAAAAAAAAAAAA"' },
    });
    expect([stale.status, stale.text]).toEqual([200, PAGE]);
  });

  it('answers HEAD with the headers a GET gets and no body', async () => {
    for (const [target, length] of [
      ['/viewer', Buffer.byteLength(PAGE)],
      ['/viewer/assets/app-abc123.js', Buffer.byteLength(SCRIPT)],
    ] as const) {
      const response = await send(app.url, { method: 'HEAD', path: target });
      expect([target, response.status]).toEqual([target, 200]);
      expect(response.body.length).toBe(0);
      expect(response.headers['content-length']).toBe(String(length));
      expectSecurityHeaders(response);
    }
  });

  it('serves each asset with its type, cached for a year as immutable', async () => {
    const assets = [
      ['app-abc123.js', 'text/javascript; charset=utf-8', SCRIPT],
      ['app-abc123.css', 'text/css; charset=utf-8', STYLE],
      ['favicon-0a1b2c3d.svg', 'image/svg+xml', ICON],
    ] as const;
    for (const [name, type, content] of assets) {
      const file = await readFile(path.join(viewerDirectory, 'assets', name));
      const identity = await send(app.url, { path: `/viewer/assets/${name}` });
      expect([name, identity.status]).toEqual([name, 200]);
      expect(identity.body.equals(file)).toBe(true);
      expect(identity.text).toBe(content);
      expect(identity.headers).toMatchObject({
        'content-type': type,
        'cache-control': 'public, max-age=31536000, immutable',
        vary: 'Accept-Encoding',
        'content-length': String(file.length),
      });
      expectSecurityHeaders(identity);
      const zipped = await send(app.url, { path: `/viewer/assets/${name}`, headers: GZIP });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers['content-length']).toBe(String(zipped.body.length));
      expect(gunzipSync(zipped.body).equals(file)).toBe(true);
      expect(zipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    const script = await send(app.url, { path: '/viewer/assets/app-abc123.js', headers: GZIP });
    expect(script.body.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 4);
    const revalidated = await send(app.url, {
      path: '/viewer/assets/app-abc123.js',
      headers: { ...GZIP, 'if-none-match': script.headers.etag! },
    });
    expect(revalidated.status).toBe(304);
  });

  it('serves only the files it loaded: no source map, other type, nested or unknown file', async () => {
    for (const target of [
      '/viewer/assets/app-abc123.js.map',
      '/viewer/assets/notes.txt',
      '/viewer/assets/nested/deep.js',
      '/viewer/assets/app-abc999.js',
      '/viewer/assets/',
      '/viewer/assets',
      '/viewer/index.html',
      '/viewer/secret.txt',
      '/viewer/assets/APP-ABC123.JS',
      '/viewer/assets/app-abc123.js/',
      '/viewer//assets/app-abc123.js',
    ]) {
      const response = await send(app.url, { path: target });
      expect([target, response.status]).toEqual([target, 404]);
      expectNotFound(response);
      expectSecurityHeaders(response);
      expect(response.text).not.toContain('mappings');
    }
  });

  it('answers every traversal attempt with 404, encoded or not', async () => {
    for (const target of [
      '/viewer/assets/../index.html',
      '/viewer/assets/../secret.txt',
      '/viewer/assets/../../outside.txt',
      '/viewer/../package.json',
      '/viewer/index.html/..',
      '/viewer/assets/%2e%2e%2findex.html',
      '/viewer/assets/%2e%2e%2fsecret.txt',
      '/viewer/assets/%2e%2e%2f%2e%2e%2foutside.txt',
      '/viewer/assets/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/viewer/assets/..%2f..%2foutside.txt',
      '/viewer/assets/%2e%2e/secret.txt',
      '/viewer/assets/..%5csecret.txt',
      '/viewer/assets/..\\secret.txt',
      '/viewer/assets/%252e%252e%252fsecret.txt',
      '/viewer/assets/app-abc123.js%00',
      '/viewer/assets/./app-abc123.js',
    ]) {
      const response = await send(app.url, { path: target });
      expect([target, response.status]).toEqual([target, 404]);
      expectNotFound(response);
      expect(response.text).not.toMatch(/secret|outside|<html/);
    }
  });

  it('refuses other methods with 405, naming GET and HEAD', async () => {
    for (const [method, target] of [
      ['POST', '/viewer'],
      ['PUT', '/viewer/assets/app-abc123.js'],
      ['DELETE', '/viewer/'],
    ] as const) {
      const response = await send(app.url, { method, path: target, body: '{}' });
      expect([method, target, response.status]).toEqual([method, target, 405]);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(json(response)).toMatchObject({
        errors: [{ extensions: { code: 'METHOD_NOT_ALLOWED' } }],
      });
      expectSecurityHeaders(response);
    }
  });

  it('leaves a path that only begins like /viewer to the other routes', async () => {
    const response = await send(app.url, { path: '/viewerx' });
    expectNotFound(response);
    expect(response.headers['content-security-policy']).toBeUndefined();
  });
});

describe('GET /viewer without a built bundle', () => {
  it('answers 503 VIEWER_NOT_BUILT, and the rest of the service works', async () => {
    const lines: Record<string, unknown>[] = [];
    const missing = path.join(root, 'not-built');
    const app = await startAuditgraph(
      { ...DEMO_CONFIG },
      {
        log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
        viewerDirectory: missing,
      },
    );
    try {
      expect(lines.filter((line) => String(line.msg).startsWith('viewer'))).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'viewer not built',
          built: false,
          files: 0,
          directory: missing,
        }),
      ]);
      for (const target of ['/viewer', '/viewer/', '/viewer/assets/app-abc123.js']) {
        const response = await send(app.url, { path: target });
        expect([target, response.status]).toEqual([target, 503]);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.headers['cache-control']).toBe('no-store');
        expectSecurityHeaders(response);
        expect(json(response)).toEqual({
          errors: [
            {
              message: "The viewer's bundle is not built; npm run build builds it.",
              extensions: { code: 'VIEWER_NOT_BUILT' },
            },
          ],
        });
      }
      expect((await send(app.url, { method: 'POST', path: '/viewer' })).status).toBe(405);
      expect((await send(app.url, { path: '/healthz' })).status).toBe(200);
      expect((await send(app.url, { path: '/readyz' })).status).toBe(200);
      const result = await postGraphql(
        app.url,
        '{ auditSources { id } auditEvents(first: 3) { edges { cursor } } }',
      );
      expect(result.status).toBe(200);
      expect(result.errors).toBeUndefined();
      expect(result.data?.auditSources).toHaveLength(6);
      expect(result.data?.auditEvents.edges).toHaveLength(3);
    } finally {
      await app.close();
    }
  });

  it('answers VIEWER_NOT_BUILT when the directory holds assets but no index.html', async () => {
    const partial = path.join(root, 'assets-only');
    await mkdir(path.join(partial, 'assets'), { recursive: true });
    await writeFile(path.join(partial, 'assets', 'app-abc123.js'), SCRIPT);
    const app = await startAuditgraph(
      { ...DEMO_CONFIG },
      { log: () => undefined, viewerDirectory: partial },
    );
    try {
      const response = await send(app.url, { path: '/viewer/assets/app-abc123.js' });
      expect(response.status).toBe(503);
      expect(json(response)).toMatchObject({
        errors: [{ extensions: { code: 'VIEWER_NOT_BUILT' } }],
      });
    } finally {
      await app.close();
    }
  });
});
