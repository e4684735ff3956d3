import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import type { LogLevelName } from '../../config/types';
import type { Logger } from '../../model/Logger';
import { redactSecrets } from './redactPaths';

export interface LoggingSettings {
  readonly level: LogLevelName;
  /** Takes each line, a JSON object without its newline (stdout in production). */
  readonly write: (line: string) => void;
}

/** One instance's logger, and the scope that puts a request's id on its lines. */
export interface Logging {
  readonly logger: Logger;
  /**
   * Runs `run` so that every line logged while it runs, and by everything it starts (promises,
   * timers, emitters bound to it), holds `requestId`.
   */
  inRequest<T>(requestId: string, run: () => T): T;
}

/**
 * auditgraph's logger: pino writing one JSON object per line with `level` as a name, an ISO
 * `time` and `msg`, the shape collectors parse without configuration. Every line of a request
 * carries its `requestId` (and, when a span is active, its `traceId` and `spanId`); the values of
 * credentials, auth headers and cursors are redacted whatever the caller passed, in a line's
 * fields and a child logger's bindings (redactPaths.ts).
 * One per instance, so tests capture each instance's lines apart.
 */
export function createLogging(settings: LoggingSettings): Logging {
  const requests = new AsyncLocalStorage<string>();
  const logger = pino(
    {
      level: settings.level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }), log: redactSecrets },
      mixin: () => {
        const requestId = requests.getStore();
        // With no OpenTelemetry SDK registered there is never an active span: this costs nothing.
        const span = trace.getActiveSpan()?.spanContext();
        return {
          ...(requestId === undefined ? {} : { requestId }),
          ...(span !== undefined && isSpanContextValid(span)
            ? { traceId: span.traceId, spanId: span.spanId }
            : {}),
        };
      },
    },
    {
      write: (chunk: string) => settings.write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk),
    },
  );
  // pino applies a bindings formatter to the root's bindings only, not to a child's: children
  // are made through this, which every child and grandchild inherits.
  const { child: makeChild } = Object.getPrototypeOf(logger) as { child: typeof logger.child };
  logger.child = function child(this: typeof logger, bindings, options) {
    return makeChild.call(this, redactSecrets(bindings), options);
  } as typeof logger.child;
  return {
    logger,
    inRequest: (requestId, run) => requests.run(requestId, run),
  };
}
