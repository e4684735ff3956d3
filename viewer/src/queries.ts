/** The operations the viewer sends, and the shapes of their answers. */

export type Provider = 'FASTLY' | 'CLOUDFLARE' | 'FUSIONAUTH' | 'NIRVANA';
export type Category = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE' | 'AUTH' | 'OTHER';
export type Outcome = 'SUCCESS' | 'FAILURE' | 'UNKNOWN';
export type SourceState =
  'OK' | 'FAILED' | 'TIMED_OUT' | 'RATE_LIMITED' | 'UNAUTHORIZED' | 'CIRCUIT_OPEN';

export const CATEGORIES: readonly Category[] = [
  'CREATE',
  'READ',
  'UPDATE',
  'DELETE',
  'AUTH',
  'OTHER',
];
export const OUTCOMES: readonly Outcome[] = ['SUCCESS', 'FAILURE', 'UNKNOWN'];

export interface Source {
  readonly id: string;
  readonly kind: string;
  readonly provider: Provider;
}

export interface AuditEvent {
  readonly id: string;
  readonly nativeId: string;
  readonly occurredAt: string;
  readonly provider: Provider;
  readonly action: string;
  readonly category: Category;
  readonly outcome: Outcome;
  readonly description: string | null;
  readonly source: Source;
  readonly actor: {
    readonly key: string;
    readonly id: string | null;
    readonly type: string | null;
    readonly name: string | null;
    readonly email: string | null;
    readonly ip: string | null;
    readonly token: { readonly id: string | null; readonly name: string | null } | null;
  } | null;
  readonly resource: {
    readonly key: string;
    readonly id: string | null;
    readonly type: string | null;
    readonly name: string | null;
    readonly product: string | null;
  } | null;
  readonly request: {
    readonly ip: string | null;
    readonly method: string | null;
    readonly path: string | null;
    readonly statusCode: number | null;
    readonly userAgent: string | null;
    readonly rayId: string | null;
  } | null;
  readonly changes: { readonly before: unknown; readonly after: unknown } | null;
  readonly metadata: unknown;
  readonly raw: unknown;
  readonly redacted: readonly string[];
}

export interface SourceStatus {
  readonly source: Source;
  readonly state: SourceState;
  readonly message: string | null;
  readonly retryAfterSeconds: number | null;
  readonly upstreamRequests: number;
  readonly completeUntil: string;
  readonly missed: {
    readonly count: number;
    readonly oldest: string;
    readonly newest: string;
  } | null;
}

const EVENT_FIELDS = `
  id nativeId occurredAt provider action category outcome description
  source { id kind provider }
  actor { key id type name email ip token { id name } }
  resource { key id type name product }
  request { ip method path statusCode userAgent rayId }
  changes { before after }
  metadata raw redacted
`;

const STATUS_FIELDS = `
  source { id kind provider }
  state message retryAfterSeconds upstreamRequests completeUntil
  missed { count oldest newest }
`;

export const SOURCES_QUERY = `query ViewerSources { auditSources { id kind provider } }`;

export interface SourcesAnswer {
  readonly auditSources: readonly Source[];
}

export const PAGE_QUERY = `query ViewerPage($first: Int!, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter, orderBy: OCCURRED_AT_DESC) {
    edges { node { ${EVENT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
    sources { ${STATUS_FIELDS} }
    asOf
  }
}`;

export interface PageAnswer {
  readonly auditEvents: {
    readonly edges: readonly { readonly node: AuditEvent }[];
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
    readonly sources: readonly SourceStatus[];
    readonly asOf: string;
  };
}

export const COUNTS_QUERY = `query ViewerCounts($filter: AuditEventFilter, $by: AuditEventCountKey!, $first: Int!) {
  auditEventCounts(filter: $filter, by: $by, first: $first) {
    buckets { key count }
    exact
    scannedUntil
    sources { ${STATUS_FIELDS} }
  }
}`;

export interface CountsAnswer {
  readonly auditEventCounts: {
    readonly buckets: readonly { readonly key: string; readonly count: number }[];
    readonly exact: boolean;
    readonly scannedUntil: string | null;
    readonly sources: readonly SourceStatus[];
  };
}

export const TAIL_SUBSCRIPTION = `subscription ViewerTail($filter: AuditEventFilter) {
  auditEventAdded(filter: $filter) { ${EVENT_FIELDS} }
}`;

export interface TailAnswer {
  readonly auditEventAdded: AuditEvent;
}
