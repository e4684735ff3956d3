import type { Observability, ObservabilityPart } from './Observability';
import { combineObservability } from './Observability';
import { createTracing } from './tracing/createTracing';

export interface ObservabilitySettings {
  /** Writes one log line (stdout in production, a capture in tests). */
  readonly log: (line: string) => void;
}

/**
 * auditgraph's logs, metrics and traces from its settings: each part is built here and combined,
 * the first outermost.
 */
export function createObservability(_settings: ObservabilitySettings): Observability {
  const parts: ObservabilityPart[] = [createTracing()];
  return combineObservability(parts);
}
