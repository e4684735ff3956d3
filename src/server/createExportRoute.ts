import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import type { ExportEnd } from '../export/ExportEnd';
import { EXPORT_FORMATS, exportFormat, toEndRecord } from '../export/exportFormats';
import type { ExportFormatName } from '../export/exportFormats';
import type { ExportPage } from '../export/ExportPage';
import type { ExportSink } from '../export/streamExport';
import { streamExport } from '../export/streamExport';
import { badUserInput, isAuditgraphError } from '../model/errors';
import type { Logger } from '../model/Logger';
import type { AuditgraphContext, ContextRequest } from '../schema/createContext';
import { createEventReads } from '../schema/eventReads';
import { createExportPages } from '../schema/createExportPages';
import { toReadAuditRecord } from '../schema/createReadAuditPlugin';
import { allowMethod } from './allowMethod';
import { sendJson } from './sendError';
import { splitUrl } from './splitUrl';

export const EXPORT_PATH = '/export';

/**
 * Events per page of an export: ten times a query's default largest page, so that an export
 * costs fewer merges and upstream round trips per event, and still one page of memory.
 */
export const EXPORT_PAGE_SIZE = 1000;

/** Serves one `GET /export`; `stopping` is aborted when the server drains. */
export type ExportRoute = (
  request: IncomingMessage,
  response: ServerResponse,
  stopping: AbortSignal,
) => Promise<void>;

/** How an export that began streaming ended: at its end, complete or not, or stopped early. */
export type ExportResult = 'complete' | 'incomplete' | 'stopped';

/**
 * Told when an export begins streaming (its first page read, so it was not refused), and
 * returns what is told how it ended and how many events it wrote (metrics).
 */
export type ExportObserver = (
  format: ExportFormatName,
) => (result: ExportResult, events: number) => void;

export interface ExportRouteOptions {
  readonly schema: GraphQLSchema;
  /** The GraphQL context factory: the same authentication, sources and redaction. */
  readonly context: (request: ContextRequest) => Promise<AuditgraphContext>;
  readonly logger: Logger;
  /** Events a page (EXPORT_PAGE_SIZE); the feed must take pages this large. */
  readonly pageSize: number;
  /** How long one page may wait on its upstreams (`export.pageTimeoutMs`). */
  readonly pageTimeoutMs: number;
  /** One `audit` line per export. */
  readonly audit: boolean;
  /** Default: nobody. */
  readonly observe?: ExportObserver;
  readonly now?: () => number;
}

/** The query parameters `GET /export` takes, and nothing else (a typo is refused, not ignored). */
const PARAMETERS = new Set(['format', 'filter', 'orderBy', 'after', 'checkpoints']);
const ORDERS = ['OCCURRED_AT_DESC', 'OCCURRED_AT_ASC'] as const;
/** Longer than any cursor or filter auditgraph takes; the filter's own checks go further. */
const MAX_PARAMETER_LENGTH = 16 * 1024;

interface ExportParameters {
  readonly format: ExportFormatName;
  readonly filter: unknown;
  readonly orderBy: (typeof ORDERS)[number];
  readonly after: string | null;
  readonly checkpoints: boolean;
}

/** The end state of a CSV export, in trailers: a client that reads them resumes from the cursor. */
const END_TRAILERS = ['X-Auditgraph-End-Cursor', 'X-Auditgraph-Complete', 'X-Auditgraph-End'];

/**
 * `GET /export`: the merged feed streamed as NDJSON or CSV (streamExport.ts), for a client
 * authenticated as for `/graphql`. Everything a client can get wrong (a parameter, the filter,
 * the cursor, a filter on personal data without the pii permission) is answered with a JSON
 * error and its code before a byte of the export and before any upstream request: the first
 * page is read before the response begins.
 */
export function createExportRoute(options: ExportRouteOptions): ExportRoute {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const logUnexpected = (error: unknown) =>
    logger.error(
      { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
      'unexpected error',
    );

  return async (request, response, stopping) => {
    if (!allowMethod(request, response, ['GET'])) return;
    const startedAt = process.hrtime.bigint();
    let parameters: ExportParameters;
    try {
      parameters = readParameters(splitUrl(request.url).search);
    } catch (error) {
      sendFailure(response, error);
      return;
    }
    let context: AuditgraphContext;
    try {
      context = await options.context(request);
    } catch (error) {
      sendFailure(response, error);
      return;
    }
    const reads = createEventReads();
    reads.filters.push(parameters.filter);
    const auditLine = (resultCount: number, errorCodes: readonly string[], facts: object) => {
      if (!options.audit) return;
      logger.info(
        {
          ...toReadAuditRecord(
            { principal: context.principal, reads },
            { operationName: null, operationType: 'export', resultCount, errorCodes, startedAt },
          ),
          format: parameters.format,
          ...facts,
        },
        'audit',
      );
    };

    // Aborted when the client goes away (the upstream reads stop at once) or the server drains.
    const gone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    const signal = AbortSignal.any([gone.signal, stopping]);
    const readPage = createExportPages(
      options.schema,
      // The pages' reads are recorded apart: the export's own record (above) makes its one line.
      {
        ...context,
        reads: createEventReads(),
        pagination: { ...context.pagination, maxFirst: options.pageSize },
        // A long run of large pages: each source is asked for its share, so that an event is
        // parsed about once rather than once per page until it is written.
        upstreamSizing: 'share',
      },
      { filter: parameters.filter, orderBy: parameters.orderBy, pageSize: options.pageSize },
      logUnexpected,
    );
    let firstPage: ExportPage;
    try {
      firstPage = await readPage({
        after: parameters.after,
        deadlineAt: now() + options.pageTimeoutMs,
        signal,
      });
    } catch (error) {
      auditLine(0, [codeOf(error)], { phase: 'refused' });
      sendFailure(response, error, logUnexpected);
      return;
    }

    const format = exportFormat(parameters.format);
    const ended = options.observe?.(parameters.format);
    response.statusCode = 200;
    response.setHeader('content-type', format.contentType);
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader(
      'content-disposition',
      `attachment; filename="auditgraph-export.${parameters.format}"`,
    );
    if (format.name === 'csv') response.setHeader('trailer', END_TRAILERS.join(', '));
    let end: ExportEnd;
    try {
      end = await streamExport({
        readPage,
        firstPage,
        after: parameters.after,
        format,
        sink: toSink(response),
        pageTimeoutMs: options.pageTimeoutMs,
        checkpoints: parameters.checkpoints,
        signal,
        stopReason: () =>
          stopping.aborted
            ? {
                code: 'SHUTTING_DOWN',
                message: 'the server is shutting down; resume from the cursor',
              }
            : { code: 'REQUEST_ABORTED', message: 'the client went away' },
        now,
      });
    } catch (error) {
      // Not expected (a page's failure ends the export with its code): still, it ended.
      ended?.('stopped', 0);
      throw error;
    }
    for (const source of end.sources) reads.sources.add(source.id);
    const codes = [
      ...end.sources.flatMap((source) => (source.code === null ? [] : [source.code])),
      ...(end.stopped === null ? [] : [end.stopped.code]),
    ];
    auditLine(end.events, codes, { complete: end.complete });
    ended?.(
      end.stopped !== null ? 'stopped' : end.complete ? 'complete' : 'incomplete',
      end.events,
    );
    if (response.destroyed) return;
    if (format.name === 'csv') response.addTrailers(toTrailers(end));
    response.end();
  };
}

function readParameters(search: string): ExportParameters {
  const params = new URLSearchParams(search);
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (!PARAMETERS.has(name)) {
      throw badUserInput(
        `unknown parameter ${JSON.stringify(name.slice(0, 40))}; /export takes ${[...PARAMETERS].join(', ')}`,
      );
    }
    if (seen.has(name)) throw badUserInput(`parameter ${name} is given more than once`);
    if (value.length > MAX_PARAMETER_LENGTH)
      throw badUserInput(`parameter ${name} is longer than ${MAX_PARAMETER_LENGTH} characters`);
    seen.add(name);
  }
  const format = params.get('format') ?? 'ndjson';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw badUserInput(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const orderBy = params.get('orderBy') ?? 'OCCURRED_AT_DESC';
  if (!(ORDERS as readonly string[]).includes(orderBy))
    throw badUserInput(`orderBy must be one of ${ORDERS.join(', ')}`);
  const checkpoints = params.get('checkpoints') ?? 'false';
  if (checkpoints !== 'true' && checkpoints !== 'false')
    throw badUserInput('checkpoints must be true or false');
  const after = params.get('after');
  if (after === '') throw badUserInput('after must be a cursor, or be left out');
  return {
    format: format as ExportFormatName,
    filter: readFilter(params.get('filter')),
    orderBy: orderBy as ExportParameters['orderBy'],
    after,
    checkpoints: checkpoints === 'true',
  };
}

function readFilter(text: string | null): unknown {
  if (text === null || text === '') return null;
  let filter: unknown;
  try {
    filter = JSON.parse(text);
  } catch {
    throw badUserInput('filter must be an AuditEventFilter as JSON');
  }
  if (filter !== null && (typeof filter !== 'object' || Array.isArray(filter)))
    throw badUserInput('filter must be a JSON object (an AuditEventFilter)');
  return filter;
}

/** Writes that wait for the socket to drain: a slow client slows the export, never buffers it. */
function toSink(response: ServerResponse): ExportSink {
  return {
    write: (text) =>
      new Promise<void>((resolve) => {
        if (text === '' || response.destroyed) {
          resolve();
          return;
        }
        if (response.write(text)) {
          resolve();
          return;
        }
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      }),
  };
}

/** Header values are ASCII: anything else in the end state is escaped as JSON escapes it. */
function toTrailers(end: ExportEnd): Record<string, string> {
  const json = JSON.stringify(toEndRecord(end)).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return {
    'X-Auditgraph-End-Cursor': end.cursor ?? '',
    'X-Auditgraph-Complete': String(end.complete),
    'X-Auditgraph-End': json,
  };
}

function codeOf(error: unknown): string {
  if (isAuditgraphError(error)) return error.code;
  if (error instanceof GraphQLError && typeof error.extensions['code'] === 'string')
    return error.extensions['code'];
  return 'INTERNAL_SERVER_ERROR';
}

const STATUS_OF: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SHUTTING_DOWN: 503,
};

/**
 * An export refused before it began, in the GraphQL error shape with its code: a domain error's
 * message is safe to show, an authentication failure keeps its status and `WWW-Authenticate`,
 * anything else is masked.
 */
function sendFailure(
  response: ServerResponse,
  error: unknown,
  logUnexpected?: (error: unknown) => void,
): void {
  if (error instanceof GraphQLError && !isAuditgraphError(error)) {
    const http = error.extensions['http'] as
      { readonly status?: number; readonly headers?: Map<string, string> } | undefined;
    const authenticate = http?.headers?.get('www-authenticate');
    if (authenticate !== undefined) response.setHeader('www-authenticate', authenticate);
    const original = error.originalError;
    sendJson(response, http?.status ?? 500, {
      errors: [
        {
          message: isAuditgraphError(original) ? original.message : 'Request refused',
          extensions: { code: codeOf(original ?? error) },
        },
      ],
    });
    return;
  }
  if (isAuditgraphError(error) && error.code !== 'INTERNAL_SERVER_ERROR') {
    sendJson(response, STATUS_OF[error.code] ?? 502, {
      errors: [{ message: error.message, extensions: { code: error.code } }],
    });
    return;
  }
  logUnexpected?.(error);
  sendJson(response, 500, {
    errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
  });
}
