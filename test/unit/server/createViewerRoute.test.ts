import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import gql from 'graphql-tag';
import {
  VIEWER_CONTENT_SECURITY_POLICY,
  createViewerRoute,
  isViewerPath,
  type ViewerRoute,
} from '../../../src/server/createViewerRoute';
import { SILENT_LOGGER } from '../../../src/model/Logger';
import { startHttpServer, type HttpServerHandle } from '../../../src/server/startHttpServer';
import { json, send } from './httpTestClient';

const PAGE = '<!doctype html><title>viewer</title><script src="/viewer/assets/a-1.js"></script>';

let directory: string;
const handles: HttpServerHandle[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'auditgraph-viewer-unit-'));
  await mkdir(path.join(directory, 'assets'));
  await writeFile(path.join(directory, 'index.html'), PAGE);
  await writeFile(path.join(directory, 'assets', 'a-1.js'), 'console.log(1);');
  await writeFile(path.join(directory, 'assets', 'a-1.js.map'), '{}');
  await writeFile(path.join(directory, 'assets', 'font-2.WOFF2'), Buffer.from([0x77, 0x4f]));
});
afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function start(
  options: { viewerRoute?: ViewerRoute; drainDelayMs?: number } = {},
): Promise<HttpServerHandle> {
  const apollo = new ApolloServer({
    typeDefs: gql`
      type Query {
        hello: String
      }
    `,
    resolvers: { Query: { hello: () => 'world' } },
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  const handle = await startHttpServer({
    apollo,
    context: () => Promise.resolve({}),
    host: '127.0.0.1',
    port: 0,
    logger: SILENT_LOGGER,
    ...options,
  });
  handles.push(handle);
  return handle;
}

describe('createViewerRoute', () => {
  it('loads index.html and the assets of a type it serves, the extension in any case', async () => {
    const viewer = await createViewerRoute(directory);
    expect({ built: viewer.built, files: viewer.files }).toEqual({ built: true, files: 3 });
    const handle = await start({ viewerRoute: viewer.route });
    const font = await send(handle.url, { path: '/viewer/assets/font-2.WOFF2' });
    expect([font.status, font.headers['content-type']]).toEqual([200, 'font/woff2']);
    expect((await send(handle.url, { path: '/viewer/assets/a-1.js.map' })).status).toBe(404);
  });

  it('is not built, without failing, for a directory that does not exist', async () => {
    const viewer = await createViewerRoute(path.join(directory, 'nowhere'));
    expect({ built: viewer.built, files: viewer.files }).toEqual({ built: false, files: 0 });
  });

  it('claims /viewer, /viewer/ and the paths below it, and nothing else', () => {
    expect(['/viewer', '/viewer/', '/viewer/assets/a.js'].map(isViewerPath)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['/viewers', '/viewerx/a', '/', '/graphql', '/Viewer'].map(isViewerPath)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('startHttpServer with a viewer route', () => {
  it('answers /viewer with 404 when it was given no viewer route', async () => {
    const handle = await start();
    const response = await send(handle.url, { path: '/viewer' });
    expect(response.status).toBe(404);
    expect(response.headers['content-security-policy']).toBeUndefined();
  });

  it('serves the page, and refuses it with 503 SHUTTING_DOWN while draining', async () => {
    const viewer = await createViewerRoute(directory);
    const handle = await start({ viewerRoute: viewer.route, drainDelayMs: 300 });
    const before = await send(handle.url, { path: '/viewer' });
    expect([before.status, before.text]).toEqual([200, PAGE]);
    expect(before.headers['content-security-policy']).toBe(VIEWER_CONTENT_SECURITY_POLICY);
    const closing = handle.close();
    for (const target of ['/viewer', '/viewer/assets/a-1.js']) {
      const during = await send(handle.url, { path: target });
      expect([target, during.status]).toEqual([target, 503]);
      expect(during.headers['retry-after']).toBe('1');
      expect(json(during)).toMatchObject({ errors: [{ extensions: { code: 'SHUTTING_DOWN' } }] });
    }
    await closing;
  });
});
