import type { MetricsConfig } from '../config/types';
import type { Logging } from './logging/createLogging';
import { createLogPart } from './logging/createLogPart';
import { createMetricsPart } from './metrics/createMetricsPart';
import type { Observability, ObservabilityPart } from './Observability';
import { combineObservability } from './Observability';
import { createTracing } from './tracing/createTracing';

export interface ObservabilitySettings {
  /** The instance's logger and its request scope (createLogging). */
  readonly logging: Logging;
  readonly metrics: MetricsConfig;
  /** The main listener's host; a metrics port of its own listens there too. */
  readonly host: string;
}

/**
 * auditgraph's logs, metrics and traces from its settings: each part is built here and combined,
 * the first outermost. Async: a part may open a listener of its own (the metrics port), and a
 * port that is taken fails start-up.
 */
export async function createObservability(settings: ObservabilitySettings): Promise<Observability> {
  const { logger } = settings.logging;
  const parts: ObservabilityPart[] = [
    // Outermost: the request's span is active for everything done for it, log lines included.
    createTracing(),
    // Then the request scope, so that every other part's work for a request runs inside it.
    createLogPart(settings.logging),
    await createMetricsPart({ config: settings.metrics, host: settings.host, logger }),
  ];
  return combineObservability(parts);
}
