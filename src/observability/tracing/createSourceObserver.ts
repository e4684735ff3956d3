import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from '@opentelemetry/semantic-conventions';
import type { HttpObserver } from '../../http/HttpObserver';
import type { SourceObserver } from '../../providers/createSources';
import type { ObservedSource } from '../Observability';
import { TRACE_ATTRIBUTES as A, TRACE_EVENTS as E } from './traceAttributes';
import { toHttpMethod } from './toHttpMethod';
import { activeSourceRead } from './traceSourceReads';

/**
 * What one source's HTTP client and cache tell, as spans: a CLIENT span per upstream attempt,
 * child of the source read that sent it, and retries, rate-limit refusals, circuit moves, cache
 * hits and shared calls recorded on that read's span.
 *
 * The hooks are called in the async context of the call that caused them, so `context.active()`
 * is the read's. A call that joins an identical one under way (coalescing) sends nothing of its
 * own: its read is marked `auditgraph.coalesced`, and the attempts it waited for are in the
 * trace of the read that started them.
 *
 * The HttpObserver is told no URL, header or body, so none can reach a span: the upstream is
 * named by the source's id and kind alone.
 */
export function createSourceObserver(source: ObservedSource, tracer: Tracer): SourceObserver {
  const attributes = { [A.sourceId]: source.id, [A.sourceKind]: source.kind };
  const http: HttpObserver = {
    attempt: (start) => {
      const method = toHttpMethod(start.method);
      const span = tracer.startSpan(
        method,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            ...attributes,
            [ATTR_HTTP_REQUEST_METHOD]: method,
            [A.attempt]: start.attempt,
            [A.retry]: start.attempt > 1,
            [A.rateLimitWaitMs]: Math.round(start.rateLimitWaitMs),
            ...(start.attempt > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: start.attempt - 1 } : {}),
          },
        },
        context.active(),
      );
      return (end) => {
        if (end.status !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, end.status);
        span.setAttribute(A.outcome, end.outcome);
        if (end.outcome !== 'answered') {
          const code = end.error?.code ?? null;
          if (code !== null) span.setAttribute(A.errorCode, code);
          // The semantic conventions' choice: the status when one came, else the failure's type.
          const errorType =
            end.status !== null && end.status >= 400 ? String(end.status) : (code ?? end.outcome);
          span.setAttribute(ATTR_ERROR_TYPE, errorType);
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
        }
        span.end();
      };
    },
    rateLimit: (outcome, waitMs) => {
      if (outcome !== 'refused') return;
      activeSourceRead(source.id)?.addEvent(E.rateLimitRefused, {
        [A.rateLimitWaitMs]: Math.round(waitMs),
      });
    },
    retry: (after, delayMs) => {
      activeSourceRead(source.id)?.addEvent(E.retry, {
        [A.retryAfter]: after,
        [A.retryDelayMs]: Math.round(delayMs),
      });
    },
    coalesced: () => {
      activeSourceRead(source.id)?.setAttribute(A.coalesced, true);
    },
    circuit: (from, to) => {
      activeSourceRead(source.id)?.addEvent(E.circuit, {
        [A.circuitFrom]: from,
        [A.circuitTo]: to,
      });
    },
  };
  return {
    http,
    cacheLookup: (hit) => {
      activeSourceRead(source.id)?.setAttribute(A.cacheHit, hit);
    },
  };
}
