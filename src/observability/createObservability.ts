import type { Logging } from './logging/createLogging';
import type { Observability, ObservabilityPart } from './Observability';
import { combineObservability } from './Observability';

export interface ObservabilitySettings {
  /** The instance's logger and its request scope (createLogging). */
  readonly logging: Logging;
}

/**
 * auditgraph's logs, metrics and traces from its settings: each part is built here and combined,
 * the first outermost.
 */
export function createObservability(_settings: ObservabilitySettings): Observability {
  const parts: ObservabilityPart[] = [];
  return combineObservability(parts);
}
