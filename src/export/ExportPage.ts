/** How one source fared for one page of an export. */
export interface ExportSourceStatus {
  readonly id: string;
  /** SourceState: OK, FAILED, TIMED_OUT, RATE_LIMITED, UNAUTHORIZED, CIRCUIT_OPEN. */
  readonly state: string;
  /** The error's `extensions.code` (e.g. SOURCE_TIMEOUT), null when OK. */
  readonly code: string | null;
  /** Events the traversal had passed while the source failed, found on this page. */
  readonly missed: number;
}

/** One page of an export: its events, as `AuditEvent` objects of the public schema. */
export interface ExportPage {
  readonly events: readonly ExportedEvent[];
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
  readonly sources: readonly ExportSourceStatus[];
}

/** An event with the fields of the schema's `AuditEvent`, as a GraphQL response gives it. */
export type ExportedEvent = Readonly<Record<string, unknown>>;

export interface ExportPageRequest {
  readonly after: string | null;
  /** Epoch ms by which every upstream request of the page must be over. */
  readonly deadlineAt: number;
  /** Aborted when the client goes away or the server stops: the upstream reads stop at once. */
  readonly signal: AbortSignal;
}

/** Reads the export's pages; refuses bad input (with a code) before any upstream request. */
export type ReadExportPage = (request: ExportPageRequest) => Promise<ExportPage>;
