export type LogLevel = 'info' | 'warn' | 'error';

/**
 * One log line: a JSON object with time, level and message, the shape log collectors parse
 * without configuration. Callers pass only fields they know hold no secret: never headers,
 * query strings or bodies.
 */
export function logLine(
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown> = {},
): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
}
