import { parseRfc3339 } from '../../providers/nirvana/parseRfc3339';

export type NirvanaSortField = 'created_at' | 'status_code';

export interface NirvanaSortTerm {
  readonly field: NirvanaSortField;
  readonly descending: boolean;
}

/** The filters of `GET /v1/audit_logs` (nirvana-go 2026-08-19); null when not given. */
export interface NirvanaFilters {
  readonly action: string | null;
  readonly actorId: string | null;
  readonly actorType: 'user' | 'api_key' | null;
  readonly clientIp: string | null;
  /** Inclusive, ms since the epoch. */
  readonly createdAtMin: number | null;
  /** Inclusive, ms since the epoch. */
  readonly createdAtMax: number | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly statusCodeMin: number | null;
  readonly statusCodeMax: number | null;
  readonly targetId: string | null;
  readonly targetType: string | null;
}

export interface NirvanaListQuery {
  readonly limit: number;
  readonly cursor: string | null;
  readonly filters: NirvanaFilters;
  readonly sort: readonly NirvanaSortTerm[];
}

export type NirvanaListQueryResult =
  | { readonly ok: true; readonly query: NirvanaListQuery }
  | { readonly ok: false; readonly message: string };

export const NIRVANA_MIN_LIMIT = 10;
export const NIRVANA_MAX_LIMIT = 100;
export const NIRVANA_DEFAULT_LIMIT = 10;
/** Our choice: providers.md leaves the default order UNCONFIRMED. */
export const NIRVANA_DEFAULT_SORT: readonly NirvanaSortTerm[] = [
  { field: 'created_at', descending: true },
];

type NirvanaBound = 'created_at_min' | 'created_at_max' | 'status_code_min' | 'status_code_max';
/** How a bound's text is read, and what a 400 says it must be. */
type Bound = readonly [parse: (text: string) => number | null, what: string];

/** The filters that bound a number: the time (ms) and the status code. */
const BOUNDS: Readonly<Record<NirvanaBound, Bound>> = {
  created_at_min: [parseRfc3339, 'an RFC 3339 date-time'],
  created_at_max: [parseRfc3339, 'an RFC 3339 date-time'],
  status_code_min: [toInteger, 'an integer'],
  status_code_max: [toInteger, 'an integer'],
};

/** Reads and checks the query parameters of `GET /v1/audit_logs`. */
export function parseNirvanaListQuery(params: URLSearchParams): NirvanaListQueryResult {
  const get = (name: string): string | null => {
    const value = params.get(name);
    return value === null || value === '' ? null : value;
  };

  const limitText = get('limit');
  const limit = limitText === null ? NIRVANA_DEFAULT_LIMIT : toInteger(limitText);
  if (limit === null || limit < NIRVANA_MIN_LIMIT || limit > NIRVANA_MAX_LIMIT) {
    return fail(`limit must be an integer between ${NIRVANA_MIN_LIMIT} and ${NIRVANA_MAX_LIMIT}`);
  }

  const actorType = get('actor_type');
  if (actorType !== null && actorType !== 'user' && actorType !== 'api_key') {
    return fail('actor_type must be one of: user, api_key');
  }

  const bounds: Partial<Record<NirvanaBound, number>> = {};
  for (const [name, [parse, what]] of Object.entries(BOUNDS) as [NirvanaBound, Bound][]) {
    const text = get(name);
    if (text === null) continue;
    const value = parse(text);
    if (value === null) return fail(`${name} must be ${what}`);
    bounds[name] = value;
  }

  const sortText = get('sort');
  const sort = sortText === null ? NIRVANA_DEFAULT_SORT : parseSort(sortText);
  if (sort === null) {
    return fail(
      'sort must be comma-separated terms field:asc or field:desc over created_at, status_code, each field at most once',
    );
  }

  return {
    ok: true,
    query: {
      limit,
      cursor: get('cursor'),
      sort,
      filters: {
        action: get('action'),
        actorId: get('actor_id'),
        actorType,
        clientIp: get('client_ip'),
        createdAtMin: bounds.created_at_min ?? null,
        createdAtMax: bounds.created_at_max ?? null,
        method: get('method'),
        path: get('path'),
        statusCodeMin: bounds.status_code_min ?? null,
        statusCodeMax: bounds.status_code_max ?? null,
        targetId: get('target_id'),
        targetType: get('target_type'),
      },
    },
  };
}

function parseSort(text: string): NirvanaSortTerm[] | null {
  const terms: NirvanaSortTerm[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(created_at|status_code):(asc|desc)\s*$/.exec(part);
    if (match === null) return null;
    const field = match[1] as NirvanaSortField;
    if (terms.some((term) => term.field === field)) return null;
    terms.push({ field, descending: match[2] === 'desc' });
  }
  return terms;
}

function toInteger(text: string): number | null {
  if (!/^-?\d{1,9}$/.test(text.trim())) return null;
  return Number(text.trim());
}

function fail(message: string): NirvanaListQueryResult {
  return { ok: false, message };
}
