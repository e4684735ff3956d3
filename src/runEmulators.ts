import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { readEnv } from './config/readEnv';
import { MIN_CURSOR_SECRET_LENGTH, SETTINGS } from './config/settings';
import { DEMO_EMULATOR_COUNT, startDemoEmulators } from './emulators/startDemoEmulators';
import type { DemoSource } from './emulators/startDemoEmulators';
import { createLogging } from './observability/logging/createLogging';
import { BUILT_IN_KINDS } from './providers/sourceKinds';
import { installShutdownHandlers } from './server/installShutdownHandlers';

/**
 * `node dist/main.js emulators`: the demo's emulators in a process of their own, on fixed ports,
 * so that a gateway in another process (another container) reads them in live mode, as it would
 * the providers. This is a program of its own, like the bench's: it reads its own few variables
 * here rather than auditgraph's settings.
 */

/** Where the emulators listen; `0.0.0.0` in a container. */
const HOST_VARIABLE = 'HOST';
/** The first emulator's port; the others follow it. 0: any free ports (tests). */
const PORT_VARIABLE = 'AUDITGRAPH_EMULATOR_PORT';
export const DEFAULT_EMULATOR_PORT = 4100;
/** What the written config's API key refers to: the SHA-256 of the key its client sends. */
export const CLIENT_KEY_HASH_VARIABLE = 'AUDITGRAPH_CLIENT_KEY_SHA256';

const USAGE = `usage: emulators [--write-config FILE] [--public-host NAME]
  --write-config FILE  write an auditgraph config (YAML, live mode) that reads these emulators
  --public-host NAME   the host the gateway reaches them at, in that file (default: the address they listen on)
  environment: ${HOST_VARIABLE} (default ${SETTINGS.host.default}), ${PORT_VARIABLE} (default ${DEFAULT_EMULATOR_PORT}, then the next ${DEMO_EMULATOR_COUNT - 1} ports)`;

export interface EmulatorsArgs {
  readonly writeConfig: string | null;
  readonly publicHost: string | null;
}

export interface RunEmulatorsOptions {
  /** Writes one line to stdout; default: process.stdout. */
  readonly writeLine?: (line: string) => void;
  /**
   * Writes the config file; default: fs.writeFileSync, a new file readable by its owner only (it
   * may hold credentials).
   */
  readonly writeFile?: (path: string, text: string) => void;
  /** Close and exit 0 on SIGTERM/SIGINT; default true (tests close by hand). */
  readonly handleSignals?: boolean;
  readonly now?: () => number;
}

export interface RunningEmulators {
  /** The sources as the gateway reaches them (the public host), with their credentials. */
  readonly sources: readonly DemoSource[];
  close(): Promise<void>;
}

/**
 * Starts the six demo sources' emulators (five servers: FusionAuth serves both of its logs),
 * prints one JSON line per source with its kind and URL, and, when asked, writes the config
 * that points auditgraph at them.
 *
 * Credentials: the value of the variable through which auditgraph's environment shortcut takes
 * that provider's credential (`FASTLY_API_TOKEN`…) when set, so that one set of variables serves
 * both processes; a fresh one otherwise, which only the written config then knows.
 */
export async function runEmulators(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: RunEmulatorsOptions = {},
): Promise<RunningEmulators> {
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { logger } = createLogging({ level: 'info', write: writeLine });
  const args = parseEmulatorsArgs(argv);
  const host = readEnv(env, HOST_VARIABLE) ?? SETTINGS.host.default;
  const basePort = readBasePort(readEnv(env, PORT_VARIABLE));
  const credentialVariables = toCredentialVariables();
  const credentials: Record<string, string> = {};
  for (const [family, variable] of credentialVariables) {
    const value = readEnv(env, variable);
    if (value !== undefined) credentials[family] = value;
  }

  const demo = await startDemoEmulators({
    seed: SETTINGS.demoSeed.default,
    nowMs: (options.now ?? Date.now)(),
    host,
    ...(basePort === 0 ? {} : { basePort }),
    credentials,
  });
  const publicHost = args.publicHost ?? toReachableHost(host);
  const sources = demo.sources.map((source) => ({
    ...source,
    baseUrl: withHost(source.baseUrl, publicHost),
  }));
  for (const source of sources) {
    logger.info(
      {
        source: source.id,
        kind: source.kind,
        url: source.baseUrl,
        events: demo.counts[source.id] ?? 0,
      },
      'emulator listening',
    );
  }
  if (args.writeConfig !== null) {
    const text = toEmulatorsConfigFile(sources, (family) => {
      const variable = credentialVariables.get(family);
      return variable !== undefined && credentials[family] !== undefined ? variable : null;
    });
    try {
      (
        options.writeFile ??
        ((path, content) => writeFileSync(path, content, { encoding: 'utf8', mode: 0o600 }))
      )(args.writeConfig, text);
    } catch (error) {
      await demo.close();
      throw error;
    }
    logger.info({ file: args.writeConfig }, 'config written');
  }
  logger.info({ sources: sources.length }, 'emulators ready');

  const close = () => demo.close();
  if (options.handleSignals !== false) installShutdownHandlers(close, logger);
  return { sources, close };
}

export function parseEmulatorsArgs(argv: readonly string[]): EmulatorsArgs {
  let writeConfig: string | null = null;
  let publicHost: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (flag !== '--write-config' && flag !== '--public-host') {
      throw new Error(`emulators: unknown argument ${String(flag)}\n${USAGE}`);
    }
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new Error(`emulators: ${flag} needs a value\n${USAGE}`);
    }
    if (flag === '--write-config') writeConfig = value;
    else if (/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(value)) publicHost = value;
    else throw new Error(`emulators: --public-host must be a host name or an IP address`);
    index += 1;
  }
  return { writeConfig, publicHost };
}

function readBasePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_EMULATOR_PORT;
  const port = Number(raw);
  const highest = 65535 - (DEMO_EMULATOR_COUNT - 1);
  if (!/^\d+$/.test(raw) || port > highest) {
    throw new Error(`emulators: ${PORT_VARIABLE} must be a port from 0 to ${highest}`);
  }
  return port;
}

/**
 * Credential family → the secret variable of its environment shortcut (`cloudflare` →
 * `CLOUDFLARE_API_TOKEN`): the names the gateway already reads, taken from the kinds.
 */
function toCredentialVariables(): ReadonlyMap<string, string> {
  const variables = new Map<string, string>();
  for (const definition of BUILT_IN_KINDS.all) {
    const secret = definition.envShortcut?.variables.find((variable) => variable.secret === true);
    if (secret !== undefined) variables.set(definition.credentialFamily, secret.name);
  }
  return variables;
}

/** A wildcard address is where to listen, not where to connect: loopback reaches it. */
function toReachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function withHost(baseUrl: string, host: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${host}:${url.port}${path}`;
}

/**
 * The config file: the sources, each credential a `${NAME}` reference when a variable gave it,
 * and one API key whose hash the environment holds. The cursor secret comes from its own
 * variable, as in any live deployment.
 */
export function toEmulatorsConfigFile(
  sources: readonly DemoSource[],
  variableOf: (family: string) => string | null,
): string {
  const entries = sources.map((source) => {
    const definition = BUILT_IN_KINDS.get(source.kind);
    const entry: Record<string, unknown> = { ...source };
    for (const key of definition.secretKeys) {
      const variable = variableOf(definition.credentialFamily);
      if (variable !== null) entry[key] = `\${${variable}}`;
    }
    return entry;
  });
  const header = [
    "auditgraph's config for its demo emulators (`node dist/main.js emulators`), read in live mode.",
    'Written by `emulators --write-config`. Live mode also needs, in the environment:',
    `- ${String(SETTINGS.cursorSecret.env)}: at least ${MIN_CURSOR_SECRET_LENGTH} characters, the same on every replica;`,
    `- ${CLIENT_KEY_HASH_VARIABLE}: the SHA-256 of the API key its clients send as`,
    '  "Authorization: Bearer <key>" (npm run auth:hash-key makes a key and its hash).',
  ];
  const body = stringify(
    {
      sources: entries,
      auth: {
        apiKeys: [
          { id: 'emulators-client', sha256: `\${${CLIENT_KEY_HASH_VARIABLE}}`, sources: ['*'] },
        ],
      },
    },
    // As Prettier writes YAML here, so that a written file can be committed as it is.
    { singleQuote: true },
  );
  return `${header.map((line) => `# ${line}`).join('\n')}\n${body}`;
}
