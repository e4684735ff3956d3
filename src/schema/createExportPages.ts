import type { GraphQLError, GraphQLSchema } from 'graphql';
import { parse, validate } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import type { ExportPage, ExportSourceStatus, ReadExportPage } from '../export/ExportPage';
import { AuditgraphError, isAuditgraphError } from '../model/errors';
import type { AuditgraphContext, SourceErrorReport } from './createContext';
import { createFormatError } from './formatError';

/**
 * The export reads the feed through the schema's own `auditEvents`, so that an exported event
 * is the `AuditEvent` a query returns (the same fields, ids, redaction for a client without the
 * pii permission) and an export's cursors are the connection's: an `endCursor` of `auditEvents`
 * with the same filter and order goes on in an export, and the other way round.
 */
const EXPORT_DOCUMENT = parse(`
  query Export($first: Int!, $after: String, $filter: AuditEventFilter, $orderBy: AuditEventOrder!) {
    auditEvents(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      edges {
        node {
          id
          nativeId
          occurredAt
          provider
          source { id kind }
          action
          category
          outcome
          description
          actor { id type name email ip token { id name } }
          resource { id type name product }
          request { ip method path statusCode userAgent rayId }
          changes { before after }
          metadata
          redacted
        }
      }
      pageInfo { hasNextPage endCursor }
      sources { source { id } state missed { count } }
    }
  }
`);

/**
 * The export's document compiled for each schema, once (graphql-jit: the same execution as
 * graphql-js's, the same resolvers and scalars, as generated code; a page of 1,000 events runs
 * tens of thousands of field resolutions).
 */
const COMPILED = new WeakMap<GraphQLSchema, CompiledQuery>();

function compiledFor(schema: GraphQLSchema): CompiledQuery {
  let compiled = COMPILED.get(schema);
  if (compiled !== undefined) return compiled;
  const [problem] = validate(schema, EXPORT_DOCUMENT);
  if (problem !== undefined)
    throw new Error(`the export's query does not fit the schema: ${problem.message}`);
  const result = compileQuery(schema, EXPORT_DOCUMENT, 'Export');
  if (!isCompiledQuery(result))
    throw new Error(`the export's query does not compile: ${result.errors?.[0]?.message ?? ''}`);
  compiled = result;
  COMPILED.set(schema, compiled);
  return compiled;
}

export interface ExportQuery {
  /** The `AuditEventFilter` as the client sent it (JSON), coerced as GraphQL coerces it. */
  readonly filter: unknown;
  readonly orderBy: 'OCCURRED_AT_DESC' | 'OCCURRED_AT_ASC';
  /** Events a page; at most the context's `pagination.maxFirst`. */
  readonly pageSize: number;
}

interface ExportResponse {
  readonly auditEvents: {
    readonly edges: readonly { readonly node: Record<string, unknown> }[];
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
    readonly sources: readonly {
      readonly source: { readonly id: string };
      readonly state: string;
      readonly missed: { readonly count: number } | null;
    }[];
  };
}

/**
 * The pages of one export, as one client (the context's principal) reads them. A page's errors
 * that concern the whole page (a filter refused, a cursor refused, personal data the client may
 * not filter on) are thrown as AuditgraphErrors with their codes, before any upstream request; a
 * failing source is reported in the page's `sources`, as in a query's.
 */
export function createExportPages(
  schema: GraphQLSchema,
  context: AuditgraphContext,
  query: ExportQuery,
  logUnexpected: (error: unknown) => void,
): ReadExportPage {
  const compiled = compiledFor(schema);
  const format = createFormatError(logUnexpected);

  return async ({ after, deadlineAt, signal }) => {
    // Filled by the resolver with each source that failed on the page (its error's code).
    const sourceErrors: SourceErrorReport[] = [];
    const result = await compiled.query(
      undefined,
      { ...context, deadlineAt, signal, sourceErrors },
      { first: query.pageSize, after, filter: query.filter, orderBy: query.orderBy },
    );
    const [first] = result.errors ?? [];
    // Variables that do not coerce (a filter field of the wrong type, a date that is not one, an
    // unknown field): nothing ran, and the error has no path.
    if (result.data === undefined && first !== undefined && first.path === undefined)
      throw new AuditgraphError('BAD_USER_INPUT', first.message);
    // The field failed as a whole (its filter or cursor refused): `auditEvents` is non-null, so
    // its error nulls the data.
    const data = result.data as unknown as ExportResponse | null | undefined;
    if (data === null || data === undefined) throw toPageError(result.errors ?? [], format);
    const codes = new Map<string, string>();
    for (const { error } of sourceErrors) {
      const { sourceId } = error.details;
      // A source's own failure first; SOURCE_EVENTS_MISSED is counted in `missed`.
      if (sourceId !== undefined && !codes.has(sourceId) && error.code !== 'SOURCE_EVENTS_MISSED')
        codes.set(sourceId, error.code);
    }
    const connection = data.auditEvents;
    return {
      events: connection.edges.map((edge) => edge.node),
      endCursor: connection.pageInfo.endCursor,
      hasNextPage: connection.pageInfo.hasNextPage,
      sources: connection.sources.map((status): ExportSourceStatus => ({
        id: status.source.id,
        state: status.state,
        code: status.state === 'OK' ? null : (codes.get(status.source.id) ?? null),
        missed: status.missed?.count ?? 0,
      })),
    } satisfies ExportPage;
  };
}

function toPageError(
  errors: readonly GraphQLError[],
  format: ReturnType<typeof createFormatError>,
): AuditgraphError {
  const [first] = errors;
  if (first === undefined)
    return new AuditgraphError('INTERNAL_SERVER_ERROR', 'the export page failed');
  const original: unknown = first.originalError;
  if (isAuditgraphError(original)) return original;
  const formatted = format(first.toJSON(), first);
  const code = formatted.extensions?.['code'];
  return new AuditgraphError(
    code === 'BAD_USER_INPUT' || code === 'FORBIDDEN' ? code : 'INTERNAL_SERVER_ERROR',
    formatted.message,
  );
}
