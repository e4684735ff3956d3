import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { isAuditgraphError } from '../../model/errors';

/**
 * Runs `run` inside a new span, made the active one (its children, and the log lines written
 * meanwhile, see it), and ends the span when `run` settles. `bind` adds to the context the span
 * runs in (what a hook called during it needs to find).
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  run: (span: Span) => Promise<T>,
  bind: (active: Context, span: Span) => Context = (active) => active,
): Promise<T> {
  const span = tracer.startSpan(name, options);
  const active = bind(trace.setSpan(context.active(), span), span);
  try {
    return await context.with(active, () => run(span));
  } catch (error) {
    markFailed(span, toErrorType(error));
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Marks a span failed with a type that names the failure without describing it: an error's
 * message can quote what the client or the upstream sent, so neither it nor the stack is
 * recorded.
 */
export function markFailed(span: Span, errorType: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
}

/** auditgraph's code for its own errors (SOURCE_UNAVAILABLE, …), else the error's class name. */
export function toErrorType(error: unknown): string {
  if (isAuditgraphError(error)) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
