import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import type { TracingConfig } from '../../config/types';
import { readPackageVersion } from './readPackageVersion';

/** The process's tracing: the OpenTelemetry SDK when tracing is on, nothing when it is off. */
export interface ProcessTracing {
  readonly enabled: boolean;
  /** Exports the spans still buffered and stops; call it after the HTTP server has drained. */
  shutdown(): Promise<void>;
}

type Environment = Readonly<Record<string, string | undefined>>;

const DEFAULT_SERVICE_NAME = 'auditgraph';

/**
 * Starts the OpenTelemetry Node SDK when tracing is on, before anything makes a span. The SDK
 * reads the standard OTEL_* variables itself (exporter, protocol, endpoint, headers, sampler,
 * propagators, resource attributes, batch delays), so auditgraph takes whatever an OpenTelemetry
 * collector's operator already knows; it only sets what the SDK's defaults get wrong for it:
 *
 * - no instrumentations: the http and undici ones would record full URLs with their query
 *   strings, and those hold filter values (emails); auditgraph's spans are made by hand from its
 *   own hooks instead (createTracing.ts);
 * - traces only: metrics are prom-client's `/metrics` and logs are stdout, so no OTLP metric
 *   reader or log exporter is built (the SDK's default would push both to the endpoint);
 * - the resource: `service.name` is `auditgraph` unless OTEL_SERVICE_NAME or
 *   OTEL_RESOURCE_ATTRIBUTES says otherwise, and, unless OTEL_NODE_RESOURCE_DETECTORS chooses,
 *   the host is described but the process is not (its detector records the command line and
 *   the user that runs it).
 */
export function startTracing(config: TracingConfig | undefined, env: Environment): ProcessTracing {
  if (!isTracingEnabled(config, env)) {
    return { enabled: false, shutdown: () => Promise.resolve() };
  }
  const sdk = new NodeSDK({
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    // Detected attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) are merged over these.
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({
        [ATTR_SERVICE_NAME]: config?.serviceName ?? DEFAULT_SERVICE_NAME,
        [ATTR_SERVICE_VERSION]: readPackageVersion(),
      }),
    ),
    ...(isSet(env.OTEL_NODE_RESOURCE_DETECTORS)
      ? {}
      : { resourceDetectors: [resources.envDetector, resources.hostDetector] }),
  });
  sdk.start();
  let stopped: Promise<void> | null = null;
  return {
    enabled: true,
    shutdown: () => (stopped ??= sdk.shutdown()),
  };
}

/**
 * Whether traces are exported. From the config when it says (src/config reads the same
 * variables); else as the SDK would decide: on when OTEL_TRACES_EXPORTER names an exporter other
 * than `none`, or, when it is unset, when an OTLP endpoint is given. With neither, the SDK would
 * send to `localhost:4318` unasked; auditgraph stays silent instead.
 */
export function isTracingEnabled(config: TracingConfig | undefined, env: Environment): boolean {
  if (config !== undefined) return config.enabled;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  // The SDK turns traces off when `none` comes first, and ignores a `none` among others.
  if (exporters.length > 0) return exporters[0] !== 'none';
  return isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT) || isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
