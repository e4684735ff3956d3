/** A source as the end of an export reports it: how it fared over the whole export. */
export interface ExportSourceEnd {
  readonly id: string;
  /**
   * Its state on the first page it failed on (SourceState: the cause, not the circuit it then
   * opened), or OK when it never failed: an export in which a source failed once is not
   * complete, even if it answered again.
   */
  readonly state: string;
  /** The error code of that failure, null when it never failed. */
  readonly code: string | null;
  /** Events it held that the export had passed while it was failing (not in the export). */
  readonly missed: number;
}

/** The last line of an NDJSON export (`{"@end": …}`), and a CSV export's trailers. */
export interface ExportEnd {
  /**
   * Where the export stopped: `after` resumes right after it, in an export or in `auditEvents`
   * with the same filter and order. Null when nothing was read (resume with no `after`).
   */
  readonly cursor: string | null;
  /** The traversal reached its end with every source answering every page, nothing missed. */
  readonly complete: boolean;
  readonly sources: readonly ExportSourceEnd[];
  /** Events written. */
  readonly events: number;
  /** Why the export stopped before its end, when it did: a code and a message. */
  readonly stopped: { readonly code: string; readonly message: string } | null;
}
