import type { z } from 'zod';
import type { AuditEvent, Provider, SourceRef } from '../../model/AuditEvent';
import { createLazyAuditEvent } from '../../model/lazyAuditEvent';
import { parseSourcePayload } from './parseSourcePayload';

/** How one kind's list page turns into lazy events (lazyAuditEvent.ts). */
export interface LazyRecordSpec<H, W> {
  readonly source: SourceRef;
  readonly provider: Provider;
  /** What the source answered, for the error of a record that does not match its API. */
  readonly what: string;
  /** Where the records are in the page, for the path an error names (`data`, `result`). */
  readonly path: string;
  /** The whole record: checked only when the event is read. */
  readonly recordSchema: z.ZodType<W>;
  /** The id and time of a record whose head the page's schema has checked. */
  readonly headOf: (head: H) => { readonly nativeId: string; readonly occurredAtMs: number };
  /** The mapping; may throw the source's SOURCE_BAD_RESPONSE. */
  readonly toEvent: (record: W) => AuditEvent;
}

/**
 * The events of one list page, each placed by its head (checked with the page, so a record
 * without a usable id or time fails the page as before) and checked and mapped when read. `raws`
 * are the records as they arrived, beside the heads the page's schema returned.
 */
export function toLazyEvents<H, W>(
  heads: readonly H[],
  raws: readonly unknown[],
  spec: LazyRecordSpec<H, W>,
): AuditEvent[] {
  const events = new Array<AuditEvent>(heads.length);
  for (let index = 0; index < heads.length; index++) {
    const { nativeId, occurredAtMs } = spec.headOf(heads[index]!);
    const raw = raws[index];
    events[index] = createLazyAuditEvent(
      {
        sourceId: spec.source.id,
        kind: spec.source.kind,
        provider: spec.provider,
        nativeId,
        occurredAtMs,
      },
      () =>
        spec.toEvent(
          parseSourcePayload(
            spec.recordSchema,
            raw,
            spec.source.id,
            spec.what,
            `${spec.path}.${index}`,
          ),
        ),
    );
  }
  return events;
}
