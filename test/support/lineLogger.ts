import type { Logger } from '../../src/model/Logger';
import { createLogging } from '../../src/observability/logging/createLogging';

/**
 * auditgraph's own logger (pino, redaction, the request id) writing each JSON line to `write`,
 * for tests that build a layer by hand and read what it logs.
 */
export function lineLogger(write: (line: string) => void): Logger {
  return createLogging({ level: 'info', write }).logger;
}

/** A log line, parsed. */
export interface LogRecord {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly requestId?: string;
  readonly [field: string]: unknown;
}

export function parseLines(lines: readonly string[]): LogRecord[] {
  return lines.map((line) => JSON.parse(line) as LogRecord);
}
