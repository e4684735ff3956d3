import { stringify } from 'csv-stringify/sync';
import type { ExportEnd } from './ExportEnd';
import type { ExportedEvent } from './ExportPage';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormatName = (typeof EXPORT_FORMATS)[number];

/** How far an export has got, between two pages: a checkpoint line's content. */
export type ExportProgress = Pick<ExportEnd, 'cursor' | 'sources' | 'events'>;

/** How an export's events are written: the server's response and the CLI's file alike. */
export interface ExportFormat {
  readonly name: ExportFormatName;
  readonly contentType: string;
  /** What comes before the first event: CSV's header row. */
  start(): string;
  events(events: readonly ExportedEvent[]): string;
  /** A line between two pages (NDJSON's `@checkpoint`); null where the format has none. */
  checkpoint(progress: ExportProgress): string | null;
  /** NDJSON's last line (`@end`); CSV puts its end in trailers, so nothing. */
  end(end: ExportEnd): string;
}

/** The end state as the client reads it: NDJSON's `@end` line, CSV's `X-Auditgraph-End` trailer. */
export function toEndRecord(end: ExportEnd): object {
  const { cursor, complete, events, sources, stopped } = end;
  return { cursor, complete, events, sources, ...(stopped === null ? {} : { stopped }) };
}

const ndjson: ExportFormat = {
  name: 'ndjson',
  contentType: 'application/x-ndjson; charset=utf-8',
  start: () => '',
  events: (events) => {
    let text = '';
    for (const event of events) text += `${JSON.stringify(event)}\n`;
    return text;
  },
  checkpoint: (progress) =>
    `${JSON.stringify({ '@checkpoint': { cursor: progress.cursor, events: progress.events, sources: progress.sources } })}\n`,
  end: (end) => `${JSON.stringify({ '@end': toEndRecord(end) })}\n`,
};

/** Where each CSV column comes from in an exported event: a path of field names. */
const CSV_COLUMNS: readonly (readonly [string, readonly string[]])[] = [
  ['id', ['id']],
  ['nativeId', ['nativeId']],
  ['occurredAt', ['occurredAt']],
  ['provider', ['provider']],
  ['sourceId', ['source', 'id']],
  ['sourceKind', ['source', 'kind']],
  ['action', ['action']],
  ['category', ['category']],
  ['outcome', ['outcome']],
  ['description', ['description']],
  ['actorId', ['actor', 'id']],
  ['actorType', ['actor', 'type']],
  ['actorName', ['actor', 'name']],
  ['actorEmail', ['actor', 'email']],
  ['actorIp', ['actor', 'ip']],
  ['actorTokenId', ['actor', 'token', 'id']],
  ['actorTokenName', ['actor', 'token', 'name']],
  ['resourceId', ['resource', 'id']],
  ['resourceType', ['resource', 'type']],
  ['resourceName', ['resource', 'name']],
  ['resourceProduct', ['resource', 'product']],
  ['requestIp', ['request', 'ip']],
  ['requestMethod', ['request', 'method']],
  ['requestPath', ['request', 'path']],
  ['requestStatusCode', ['request', 'statusCode']],
  ['requestUserAgent', ['request', 'userAgent']],
  ['requestRayId', ['request', 'rayId']],
  ['changesBefore', ['changes', 'before']],
  ['changesAfter', ['changes', 'after']],
  ['metadata', ['metadata']],
  ['redacted', ['redacted']],
];

/**
 * A cell as it was before the formula escape: the `'` before `=`, `+`, `-`, `@` (or their
 * full-width forms), a tab or a carriage return dropped. (A provider's text that itself began
 * with such a `'` cannot be told apart; the CLI and the tests read ids and times, which never do.)
 */
export function unescapeCsvCell(cell: string): string {
  return /^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) ? cell.slice(1) : cell;
}

export const CSV_HEADER: readonly string[] = CSV_COLUMNS.map(([name]) => name);

/**
 * RFC 4180 (CRLF between records, quotes doubled), and a cell that a spreadsheet would run as a
 * formula (one starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
 * so that opening an export never runs what a provider's record held. The rule holds for every
 * cell, ids included (an event id may start with `-`): a program reading the CSV drops a `'` that
 * comes before one of those characters to get the value back.
 */
const CSV_OPTIONS = { record_delimiter: 'windows', escape_formulas: true } as const;

function toCell(event: ExportedEvent, path: readonly string[]): string | number | null {
  let value: unknown = event;
  for (const name of path) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[name];
  }
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  // The DateTime scalar serializes to a Date, which JSON writes as its ISO form: so does CSV.
  if (value instanceof Date) return value.toISOString();
  // `redacted` is a list of paths; metadata and changes are JSON.
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.join(' ');
  return JSON.stringify(value);
}

const csv: ExportFormat = {
  name: 'csv',
  contentType: 'text/csv; charset=utf-8; header=present',
  start: () => stringify([CSV_HEADER], CSV_OPTIONS),
  events: (events) =>
    events.length === 0
      ? ''
      : stringify(
          events.map((event) => CSV_COLUMNS.map(([, path]) => toCell(event, path))),
          CSV_OPTIONS,
        ),
  checkpoint: () => null,
  end: () => '',
};

export function exportFormat(name: ExportFormatName): ExportFormat {
  return name === 'csv' ? csv : ndjson;
}
