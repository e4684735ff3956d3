import type { Logging } from './logging/createLogging';
import { createLogPart } from './logging/createLogPart';
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
export function createObservability(settings: ObservabilitySettings): Observability {
  const parts: ObservabilityPart[] = [
    // First, so that every other part's work for a request runs inside its request scope.
    createLogPart(settings.logging),
  ];
  return combineObservability(parts);
}
