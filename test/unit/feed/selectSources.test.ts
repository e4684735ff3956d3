import type { EventFilterInput } from '../../../src/feed/eventFilter';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import { readableSources, selectSources } from '../../../src/feed/selectSources';
import type { SourceKind } from '../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../src/model/errors';
import type { Principal } from '../../../src/model/Principal';
import { ANONYMOUS_PRINCIPAL } from '../../../src/model/Principal';
import type { Source } from '../../../src/model/Source';
import { createMemorySource } from '../../support/createMemorySource';

const source = (id: string, kind: SourceKind): Source =>
  createMemorySource({ id, kind, maxPageSize: 10, events: [] });

/** In configuration order, which is not the order of their ids. */
const SOURCES = [
  source('nirvana-prod', 'nirvana'),
  source('fastly', 'fastly'),
  source('hr-fusionauth', 'fusionauth-audit-log'),
  source('cf-prod', 'cloudflare-v2'),
];

/** May read every source. */
const AUDITOR: Principal = { id: 'auditor', via: 'jwt', sourceIds: null, pii: true };
/**
 * May read `fastly` and `nirvana-prod` only. Its key also names `retired`, a source removed from
 * the configuration since.
 */
const DASHBOARD: Principal = {
  id: 'dashboard',
  via: 'api-key',
  sourceIds: new Set(['fastly', 'nirvana-prod', 'retired']),
  pii: false,
};

const select = (principal: Principal, filter: EventFilterInput = {}) =>
  selectSources(SOURCES, normalizeFilter(filter), principal).map((selected) => selected.id);

function failureOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof AuditgraphError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the selection to fail');
}

describe('the sources of a page', () => {
  it.each<{ case: string; principal: Principal; filter: EventFilterInput; selected: string[] }>([
    {
      case: 'every source, for a principal that may read them all',
      principal: AUDITOR,
      filter: {},
      selected: ['nirvana-prod', 'fastly', 'hr-fusionauth', 'cf-prod'],
    },
    {
      case: 'its own, for a principal limited to some',
      principal: DASHBOARD,
      filter: {},
      selected: ['nirvana-prod', 'fastly'],
    },
    {
      case: 'those filter.sources names, whatever their order there',
      principal: AUDITOR,
      filter: { sourceIds: ['cf-prod', 'nirvana-prod'] },
      selected: ['nirvana-prod', 'cf-prod'],
    },
    {
      case: 'those of the providers filter.providers names',
      principal: AUDITOR,
      filter: { providers: ['CLOUDFLARE', 'FUSIONAUTH'] },
      selected: ['hr-fusionauth', 'cf-prod'],
    },
    {
      case: 'those both filter.sources and filter.providers name',
      principal: AUDITOR,
      filter: { sourceIds: ['fastly', 'cf-prod'], providers: ['CLOUDFLARE'] },
      selected: ['cf-prod'],
    },
    {
      case: 'those of its own that filter.sources names',
      principal: DASHBOARD,
      filter: { sourceIds: ['fastly'] },
      selected: ['fastly'],
    },
    {
      case: 'those of its own of the providers named',
      principal: DASHBOARD,
      filter: { providers: ['FUSIONAUTH', 'NIRVANA'] },
      selected: ['nirvana-prod'],
    },
    {
      case: 'none, for a principal none of whose sources is of the providers named',
      principal: DASHBOARD,
      filter: { providers: ['CLOUDFLARE'] },
      selected: [],
    },
  ])('are $case, in configuration order', ({ principal, filter, selected }) => {
    expect(select(principal, filter)).toEqual(selected);
  });

  it.each([
    ['a configured source it may not read', 'hr-fusionauth'],
    ['a source that does not exist', 'no-such-source'],
    ['a source it may read that is no longer configured', 'retired'],
  ])(
    'refuse a principal limited to some sources that names %s, in the same words',
    (_case, sourceId) => {
      expect(failureOf(() => select(DASHBOARD, { sourceIds: ['fastly', sourceId] }))).toEqual({
        code: 'FORBIDDEN',
        message: `you may not read source ${JSON.stringify(sourceId)}`,
      });
    },
  );

  it('tell a principal that may read every source that it named an unknown one', () => {
    expect(failureOf(() => select(AUDITOR, { sourceIds: ['fastly', 'no-such-source'] }))).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'filter.sources names an unknown source: "no-such-source"',
    });
  });
});

describe('the sources a principal may read', () => {
  it('are every configured source for a principal that may read them all, and by default', () => {
    expect(readableSources(SOURCES, AUDITOR)).toEqual(SOURCES);
    expect(readableSources(SOURCES, ANONYMOUS_PRINCIPAL)).toEqual(SOURCES);
    expect(readableSources(SOURCES)).toEqual(SOURCES);
  });

  it('are its own, in configuration order, for a principal limited to some', () => {
    expect(readableSources(SOURCES, DASHBOARD).map((readable) => readable.id)).toEqual([
      'nirvana-prod',
      'fastly',
    ]);
  });
});
