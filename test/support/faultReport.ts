/**
 * What one fault-injection case measured, for the table the issue's closing note quotes.
 * Printed only when FAULT_REPORT=1, so an ordinary test run stays quiet.
 */
export interface FaultReportRow {
  readonly fault: string;
  readonly source: string;
  readonly httpStatus: number;
  readonly elapsedMs: number;
  /** Source id → state, in the response's order. */
  readonly states: Readonly<Record<string, string>>;
  /** `extensions.code` of every GraphQL error, in order. */
  readonly codes: readonly string[];
  /** Requests the faulty source's emulator received for this case, retries included. */
  readonly upstreamCalls?: number;
  /** Anything else worth a column: the heap growth of a soak, a retry hint. */
  readonly note?: string;
}

export interface FaultReport {
  readonly enabled: boolean;
  add(row: FaultReportRow): void;
  /** Prints the table once, with one line per case, if enabled and anything was added. */
  print(): void;
}

const COLUMNS = ['fault', 'source', 'http', 'ms', 'calls', 'states', 'codes', 'note'] as const;

export function createFaultReport(enabled = process.env['FAULT_REPORT'] === '1'): FaultReport {
  const rows: FaultReportRow[] = [];
  return {
    enabled,
    add(row) {
      if (enabled) rows.push(row);
    },
    print() {
      if (!enabled || rows.length === 0) return;
      console.log(toMarkdownTable(rows));
    },
  };
}

/** A Markdown table, so it pastes straight into the issue. */
export function toMarkdownTable(rows: readonly FaultReportRow[]): string {
  const cells = rows.map((row) => [
    row.fault,
    row.source,
    String(row.httpStatus),
    String(row.elapsedMs),
    row.upstreamCalls === undefined ? '' : String(row.upstreamCalls),
    toStatesCell(row.states, row.source),
    row.codes.join(', ') || '—',
    row.note ?? '',
  ]);
  const widths = COLUMNS.map((title, index) =>
    Math.max(title.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, index) => value.padEnd(widths[index] ?? 0)).join(' | ')} |`;
  return [
    line(COLUMNS),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map((values) => line(values)),
  ].join('\n');
}

/**
 * The faulty source's state first, then the others: "all OK" when they are, which is the usual
 * case and keeps the line short; otherwise every one that is not.
 */
function toStatesCell(states: Readonly<Record<string, string>>, faulty: string): string {
  if (Object.keys(states).length === 0) return '—';
  const others = Object.entries(states).filter(([id]) => id !== faulty);
  const notOk = others.filter(([, state]) => state !== 'OK');
  const head = states[faulty] === undefined ? '' : `${faulty}=${states[faulty]}; `;
  if (notOk.length === 0) return `${head}others OK (${others.length})`;
  return `${head}${notOk.map(([id, state]) => `${id}=${state}`).join(', ')}`;
}
