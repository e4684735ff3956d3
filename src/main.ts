import { runCheckConfig } from './checkConfig';
import { loadConfig } from './config/loadConfig';
import { toSecurityDefaults } from './config/settings';
import { describeConfig } from './describeConfig';
import type { AuditgraphConfig } from './config/types';
import { isAuditgraphError } from './model/errors';
import { startTracing } from './observability/tracing/startTracing';
import type { ProcessTracing } from './observability/tracing/startTracing';
import { installShutdownHandlers } from './server/installShutdownHandlers';
import { runEmulators } from './runEmulators';
import { runExport } from './runExport';
import { startAuditgraph } from './startAuditgraph';
import type { Auditgraph } from './startAuditgraph';

/**
 * `npm start`: load the config (or run the demo when nothing is configured), start, print a
 * banner, and drain gracefully on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  if (process.argv[2] === 'emulators') {
    await runEmulators(process.argv.slice(3), process.env);
    return;
  }
  const writeLine = (line: string) => process.stdout.write(`${line}\n`);
  let config: AuditgraphConfig;
  let app: Auditgraph;
  let tracing: ProcessTracing;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env });
    // Before anything makes a span; off unless the OTEL_* variables ask for it.
    tracing = startTracing(config.tracing, process.env);
    // Building the authenticator checks the JWT key against its algorithms: a refusal of the
    // config like loadConfig's own.
    app = await startAuditgraph(config, { log: writeLine });
  } catch (error) {
    if (isAuditgraphError(error) && error.code === 'CONFIG_INVALID') {
      process.stderr.write(`auditgraph: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // The forced exit must not cut a drain short, however long config.drainSeconds makes it.
  // Spans are flushed after the drain, so those of the last requests are exported too.
  const close = async (): Promise<void> => {
    await app.close();
    await tracing.shutdown();
  };
  installShutdownHandlers(close, app.logger, { forceExitAfterMs: app.closeBudgetMs });

  const { graphiql } = config.security ?? toSecurityDefaults(config.mode);
  // stdout holds JSON lines only, the banner's too; the human banner is for a terminal.
  app.logger.info(
    {
      url: app.url,
      mode: config.mode,
      graphiql,
      sources: app.sourceConfigs.map((source) => ({
        id: source.id,
        kind: source.kind,
        baseUrl: source.baseUrl,
        ...(app.demo === null ? {} : { events: app.demo.counts[source.id] ?? 0 }),
      })),
    },
    'auditgraph started',
  );
  if (!process.stderr.isTTY) return;
  const banner = [
    '',
    `auditgraph is running: ${graphiql ? 'GraphiQL and the GraphQL endpoint' : 'the GraphQL endpoint'} at ${app.url}/graphql`,
    ...describeConfig(config),
  ];
  if (app.demo !== null) {
    const total = Object.values(app.demo.counts).reduce((sum, count) => sum + count, 0);
    banner.push(`demo: ${total} events over the last 30 days, from six emulated sources:`);
    for (const source of app.sourceConfigs) {
      banner.push(
        `  ${source.id.padEnd(22)} ${source.kind.padEnd(22)} ${String(app.demo.counts[source.id] ?? 0).padStart(5)} events  ${source.baseUrl}`,
      );
    }
  }
  banner.push(`health: ${app.url}/healthz  readiness: ${app.url}/readyz`, '');
  process.stderr.write(`${banner.join('\n')}\n`);
}

// `auditgraph check-config [--config FILE]` checks the config and exits; `auditgraph export …`
// writes an export of a running auditgraph to a file; anything else starts.
const run =
  process.argv[2] === 'check-config'
    ? runCheckConfig(process.argv.slice(3), process.env)
    : process.argv[2] === 'export'
      ? runExport(process.argv.slice(3), process.env).then((code) => {
          process.exitCode = code;
        })
      : main();

run.catch((error: unknown) => {
  process.stderr.write(
    `auditgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
