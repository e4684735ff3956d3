import { parse as parseCsv } from 'csv-parse/sync';
import { CSV_HEADER, exportFormat, unescapeCsvCell } from '../../../src/export/exportFormats';

const EVENT = {
  id: '-starts-with-a-dash',
  nativeId: 'n-1',
  occurredAt: new Date('2026-11-30T08:00:00.000Z'),
  provider: 'NIRVANA',
  source: { id: 'nirvana', kind: 'NIRVANA' },
  action: '=HYPERLINK("http://attacker.example","x")',
  category: 'UPDATE',
  outcome: 'SUCCESS',
  description: 'line one\nline "two", with a comma',
  actor: { id: 'u1', type: 'USER', name: '@admin', email: 'a@example.com', ip: null, token: null },
  resource: { id: 'r1', type: 'vm', name: '+cmd|calc', product: null },
  request: null,
  changes: null,
  metadata: { zone: 'eu', count: 3 },
  redacted: [],
};

describe('CSV export format', () => {
  const csv = exportFormat('csv');

  it('writes RFC 4180 records: CRLF, quotes doubled, newlines and commas kept inside quotes', () => {
    const text = csv.start() + csv.events([EVENT]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[0]).toBe(CSV_HEADER.join(','));
    const rows: string[][] = parseCsv(text);
    expect(rows).toHaveLength(2);
    const row = rows[1]!.map(unescapeCsvCell);
    const cell = (name: string) => row[CSV_HEADER.indexOf(name)];
    expect(row).toHaveLength(CSV_HEADER.length);
    expect(cell('description')).toBe('line one\nline "two", with a comma');
    expect(cell('occurredAt')).toBe('2026-11-30T08:00:00.000Z');
    expect(cell('sourceId')).toBe('nirvana');
    expect(cell('actorIp')).toBe('');
    expect(JSON.parse(cell('metadata')!)).toEqual({ zone: 'eu', count: 3 });
    expect(cell('id')).toBe('-starts-with-a-dash');
  });

  it("prefixes every cell a spreadsheet would evaluate with a '", () => {
    const rows: string[][] = parseCsv(csv.events([EVENT]));
    const cell = (name: string) => rows[0]![CSV_HEADER.indexOf(name)];
    expect(cell('action')).toBe(`'=HYPERLINK("http://attacker.example","x")`);
    expect(cell('actorName')).toBe("'@admin");
    expect(cell('resourceName')).toBe("'+cmd|calc");
    expect(cell('id')).toBe("'-starts-with-a-dash");
    expect(cell('category')).toBe('UPDATE');
    const fullWidth = { ...EVENT, action: '\uFF1D1+1', description: '\tx' };
    const [row]: string[][] = parseCsv(csv.events([fullWidth]));
    expect(row![CSV_HEADER.indexOf('action')]).toBe("'\uFF1D1+1");
    expect(row![CSV_HEADER.indexOf('description')]).toBe("'\tx");
  });

  it('writes nothing for an empty page and has no checkpoint or end line', () => {
    expect(csv.events([])).toBe('');
    expect(csv.checkpoint({ cursor: 'c', sources: [], events: 0 })).toBeNull();
    expect(csv.end({ cursor: 'c', complete: true, sources: [], events: 0, stopped: null })).toBe(
      '',
    );
  });
});

describe('NDJSON export format', () => {
  const ndjson = exportFormat('ndjson');

  it('writes one JSON object a line, and the end as the last line', () => {
    const text = ndjson.events([EVENT, { ...EVENT, id: 'second' }]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({ ...EVENT, occurredAt: '2026-11-30T08:00:00.000Z' });
    expect(JSON.parse(lines[1]!).id).toBe('second');
    const end = { cursor: 'c', complete: false, sources: [], events: 2 };
    expect(
      JSON.parse(ndjson.end({ ...end, stopped: { code: 'SHUTTING_DOWN', message: 'm' } })),
    ).toEqual({
      '@end': { ...end, stopped: { code: 'SHUTTING_DOWN', message: 'm' } },
    });
    expect(JSON.parse(ndjson.end({ ...end, stopped: null }))).toEqual({ '@end': end });
    expect(JSON.parse(ndjson.checkpoint({ cursor: 'c', sources: [], events: 2 })!)).toEqual({
      '@checkpoint': { cursor: 'c', sources: [], events: 2 },
    });
  });
});
