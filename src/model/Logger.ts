/** Fields of one log line: plain JSON data, never a header, a query string or a body. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * How every layer logs: the subset of pino's logger auditgraph uses, so that a pino logger is
 * one, and a layer can be tested with a logger that records or drops the lines. The logger
 * itself (src/observability/logging) adds the time, the level, the request id and redaction.
 */
export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  /** A logger whose every line also holds `bindings`. */
  child(bindings: LogFields): Logger;
}

/** Logs nothing: for a layer built in a test that does not look at its lines. */
export const SILENT_LOGGER: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => SILENT_LOGGER,
};
