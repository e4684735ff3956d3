import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import { loadConfig } from '../../src/config/loadConfig';
import { CLIENT_KEY_HASH_VARIABLE } from '../../src/runEmulators';
import { startAuditgraph, type Auditgraph } from '../../src/startAuditgraph';
import {
  exitWithin,
  findFreePortRange,
  jsonLines,
  spawnService,
  type Service,
} from '../support/spawnService';

const ROOT = join(__dirname, '..', '..');
/** Five servers: FusionAuth serves both of its logs. */
const SERVERS = 5;
const FASTLY_TOKEN = 'test-only-fastly-token-0123456789';

/**
 * `main.ts emulators`, as compose runs it: the demo's emulators in a process of their own, on
 * consecutive fixed ports, writing the live config that points a gateway at them.
 */
describe('the emulators subcommand', () => {
  let dir: string;
  let service: Service | null = null;
  let gateway: Auditgraph | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auditgraph-emulators-'));
  });

  afterAll(async () => {
    await gateway?.close();
    service?.kill();
    await service?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('serves every source on its port, writes a config a live gateway reads, and exits 0 on SIGTERM', async () => {
    const basePort = await findFreePortRange(SERVERS);
    const configPath = join(dir, 'auditgraph.yaml');
    service = spawnService(
      ['--import', 'tsx', join('src', 'main.ts'), 'emulators', '--write-config', configPath],
      {
        cwd: ROOT,
        env: {
          HOST: '127.0.0.1',
          AUDITGRAPH_EMULATOR_PORT: String(basePort),
          FASTLY_API_TOKEN: FASTLY_TOKEN,
        },
      },
    );
    await service.waitFor(
      (running) => jsonLines(running).find((line) => line.msg === 'emulators ready'),
      60_000,
    );

    // One line per source, in the demo's order, each server on the next port.
    const listening = jsonLines(service).filter((line) => line.msg === 'emulator listening');
    expect(listening.map(({ source, kind, url }) => ({ source, kind, url }))).toEqual([
      { source: 'fastly', kind: 'fastly', url: `http://127.0.0.1:${basePort}` },
      {
        source: 'cloudflare-v1',
        kind: 'cloudflare-v1',
        url: `http://127.0.0.1:${basePort + 1}/client/v4`,
      },
      {
        source: 'cloudflare-v2',
        kind: 'cloudflare-v2',
        url: `http://127.0.0.1:${basePort + 2}/client/v4`,
      },
      {
        source: 'fusionauth-event-log',
        kind: 'fusionauth-event-log',
        url: `http://127.0.0.1:${basePort + 3}`,
      },
      {
        source: 'fusionauth-audit-log',
        kind: 'fusionauth-audit-log',
        url: `http://127.0.0.1:${basePort + 3}`,
      },
      { source: 'nirvana', kind: 'nirvana', url: `http://127.0.0.1:${basePort + 4}` },
    ]);
    // No credential is printed: not the one given, not the fresh ones.
    expect(service.output()).not.toContain(FASTLY_TOKEN);

    // The config names the given credential by its variable; the fresh ones only it knows.
    const text = await readFile(configPath, 'utf8');
    expect(text).not.toContain(FASTLY_TOKEN);
    expect((await stat(configPath)).mode & 0o077).toBe(0);
    const file = parse(text);
    expect(file.sources[0]).toEqual({
      id: 'fastly',
      kind: 'fastly',
      baseUrl: `http://127.0.0.1:${basePort}`,
      token: '${FASTLY_API_TOKEN}',
    });
    const nirvana = file.sources.find((source: any) => source.id === 'nirvana');
    expect(nirvana.apiKey).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    // The emulator itself, as the provider's client would call it.
    const fastlyUrl = `http://127.0.0.1:${basePort}/events?page[size]=2`;
    const refused = await fetch(fastlyUrl, { headers: { 'fastly-key': 'wrong' } });
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    const fastly = await fetch(fastlyUrl, { headers: { 'fastly-key': FASTLY_TOKEN } });
    expect(fastly.status).toBe(200);
    expect((await fastly.json()).data).toHaveLength(2);

    // A real gateway, in live mode, reads all six through the written config.
    const clientKey = generateApiKey();
    const config = loadConfig({
      argv: ['--config', configPath],
      env: {
        PORT: '0',
        FASTLY_API_TOKEN: FASTLY_TOKEN,
        AUDITGRAPH_CURSOR_SECRET: 'test-only-cursor-secret-0123456789abcdef',
        [CLIENT_KEY_HASH_VARIABLE]: hashApiKey(clientKey),
        AUDITGRAPH_DRAIN_SECONDS: '0',
      },
    });
    expect(config.mode).toBe('live');
    expect(config.sources).toHaveLength(6);
    gateway = await startAuditgraph(config, { log: () => undefined });
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${clientKey}`,
      },
      body: JSON.stringify({
        query:
          '{ auditEvents(first: 5) { edges { node { source { id } } } sources { source { id } state } } }',
      }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.auditEvents.edges).toHaveLength(5);
    expect(
      body.data.auditEvents.sources.map((status: any) => [status.source.id, status.state]),
    ).toEqual(file.sources.map((source: any) => [source.id, 'OK']));
    await gateway.close();
    gateway = null;

    service.child.kill('SIGTERM');
    expect(await exitWithin(service, 10_000)).toBe(0);
  }, 120_000);

  it('refuses an unknown argument with its usage', async () => {
    const refused = spawnService(
      ['--import', 'tsx', join('src', 'main.ts'), 'emulators', '--nope'],
      {
        cwd: ROOT,
      },
    );
    expect(await exitWithin(refused, 30_000)).toBe(1);
    expect(refused.output()).toContain('unknown argument --nope');
    expect(refused.output()).toContain('usage: emulators');
  });
});
