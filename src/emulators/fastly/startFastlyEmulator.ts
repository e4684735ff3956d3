// Choices where no official source decides, with the reasons: fastlyUnconfirmedChoices.ts
import type { FastlyRecordWire } from '../../providers/fastly/fastlyWire';
import { createRecordStore, type TimeBound } from '../shared/createRecordStore';
import { parseIntegerParam } from '../shared/parseIntegerParam';
import { parseTimeParam } from '../shared/parseTimeParam';
import { selectOffsetPage, type OffsetListQuery } from '../shared/selectOffsetPage';
import { headerOf } from '../shared/headerOf';
import {
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
} from '../startEmulatorServer';

export const DEFAULT_FASTLY_TOKEN = 'emulator-fastly-token';
export const FASTLY_EMULATOR_MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
const PAGING_KEYS = ['page[number]', 'page[size]'];
const ID_FILTERS = ['customer_id', 'event_type', 'service_id', 'user_id', 'token_id'] as const;
const DAY_MS = 86_400_000;

export interface FastlyEmulatorOptions {
  readonly records: readonly FastlyRecordWire[];
  readonly token?: string;
  readonly host?: string;
  readonly port?: number;
  /**
   * Quirk: leave `meta` out of list responses, as the 2019 go-fastly recording has none; `links`
   * stay, so a client must tell the last page from `links.next` alone.
   */
  readonly omitMeta?: boolean;
}

export interface FastlyEmulator extends EmulatorServer {
  /** The live store, sorted by created_at; add through `insert`. */
  readonly records: readonly FastlyRecordWire[];
  readonly token: string;
  insert(record: FastlyRecordWire): void;
}

export async function startFastlyEmulator(options: FastlyEmulatorOptions): Promise<FastlyEmulator> {
  const token = options.token ?? DEFAULT_FASTLY_TOKEN;
  const store = createRecordStore(options.records, {
    name: 'Fastly event',
    timeOf: (record) => Date.parse(record.attributes.created_at),
    idOf: (record) => record.id,
  });
  const listEvents = (request: EmulatorRequest): EmulatorResponse => {
    const parsed = parseListQuery(request.query);
    if (typeof parsed === 'string') return badRequest(parsed);
    const { items: data, total } = selectOffsetPage(store, parsed, request, PAGING_KEYS);
    const { page: pageNumber, pageSize } = parsed;
    const totalPages = Math.ceil(total / pageSize);
    const link = pageLink(request, pageSize);
    const links: Record<string, string> = { first: link(1), last: link(Math.max(1, totalPages)) };
    if (pageNumber > 1) links['prev'] = link(pageNumber - 1);
    if (pageNumber < totalPages) links['next'] = link(pageNumber + 1);
    return {
      status: 200,
      body: {
        data,
        links,
        ...(options.omitMeta === true
          ? {}
          : {
              meta: {
                current_page: pageNumber,
                per_page: pageSize,
                record_count: total,
                total_pages: totalPages,
              },
            }),
      },
    };
  };

  const getEvent = (request: EmulatorRequest): EmulatorResponse => {
    const id = request.params['id'] ?? '';
    const record = store.findById(id);
    if (record === undefined) {
      return fastlyError(404, { msg: 'Record not found', detail: `Couldn't find Event '${id}'` });
    }
    return { status: 200, body: { data: record } };
  };

  const server = await startEmulatorServer({
    name: 'fastly',
    contentType: 'application/vnd.api+json',
    routes: [
      { method: 'GET', pattern: '/events', handle: listEvents },
      { method: 'GET', pattern: '/events/:id', handle: getEvent },
    ],
    authenticate: (request) =>
      headerOf(request, 'fastly-key') === token
        ? null
        : fastlyError(401, { msg: 'Provided credentials are missing or invalid' }),
    notFound: () => fastlyError(404, { msg: 'Not Found' }),
    host: options.host,
    port: options.port,
  });
  return Object.assign(server, {
    records: store.records,
    token,
    insert: (record: FastlyRecordWire) => store.insert(record),
  });
}

/** The query, or the detail of a 400. */
function parseListQuery(query: URLSearchParams): OffsetListQuery<FastlyRecordWire> | string {
  const last = (key: string): string | undefined => query.getAll(key).at(-1);

  const pageNumberText = last('page[number]') ?? '1';
  const pageNumber = parseIntegerParam(pageNumberText, 1, 1_000_000_000);
  if (pageNumber === null) return 'page[number] must be a positive integer';
  const pageSizeText = last('page[size]') ?? String(DEFAULT_PAGE_SIZE);
  const pageSize = parseIntegerParam(pageSizeText, 1, FASTLY_EMULATOR_MAX_PAGE_SIZE);
  if (pageSize === null) {
    return `page[size] must be an integer between 1 and ${FASTLY_EMULATOR_MAX_PAGE_SIZE}`;
  }
  const sort = last('sort') ?? 'created_at';
  if (sort !== 'created_at' && sort !== '-created_at') {
    return 'sort must be one of: created_at, -created_at';
  }

  let since: TimeBound | null = null;
  let before: TimeBound | null = null;
  const equals: Partial<Record<(typeof ID_FILTERS)[number], string>> = {};
  for (const key of new Set(query.keys())) {
    const filter = /^filter\[([^\]]*)\](?:\[([^\]]*)\])?$/.exec(key);
    if (!filter) continue;
    const [, field = '', operator] = filter;
    const value = last(key) ?? '';
    if (value === '') continue;
    if (field === 'created_at') {
      const ms = parseTimeParam(value);
      if (ms === null) return `${key} must be an ISO 8601 date or date and time`;
      const isDate = !value.includes('T');
      switch (operator) {
        case 'gt':
          since = tighter(since, { ms, inclusive: false }, 1);
          break;
        case 'gte':
          since = tighter(since, { ms, inclusive: true }, 1);
          break;
        case 'lt':
          before = tighter(before, { ms, inclusive: false }, -1);
          break;
        case 'lte':
          before = tighter(before, { ms, inclusive: true }, -1);
          break;
        case undefined:
          since = tighter(since, { ms, inclusive: true }, 1);
          before = tighter(
            before,
            isDate ? { ms: ms + DAY_MS, inclusive: false } : { ms, inclusive: true },
            -1,
          );
          break;
        default:
          return `${key} is not a supported filter; use gt, gte, lt or lte`;
      }
    } else if (operator === undefined && (ID_FILTERS as readonly string[]).includes(field)) {
      equals[field as (typeof ID_FILTERS)[number]] = value;
    } else {
      return `${key} is not a supported filter`;
    }
  }
  const wanted = Object.entries(equals) as [(typeof ID_FILTERS)[number], string][];
  return {
    page: pageNumber,
    pageSize,
    direction: sort === 'created_at' ? 'asc' : 'desc',
    since,
    before,
    matches: (record) => wanted.every(([field, value]) => record.attributes[field] === value),
  };
}

/**
 * The stricter of two bounds: for a lower bound (`sign` 1) the later one, for an upper bound
 * (`sign` -1) the earlier one; at the same instant the exclusive one.
 */
function tighter(current: TimeBound | null, next: TimeBound, sign: 1 | -1): TimeBound {
  if (current === null) return next;
  if (current.ms !== next.ms) return (next.ms - current.ms) * sign > 0 ? next : current;
  return current.inclusive ? next : current;
}

/** The URL of another page of the same query, written as Fastly writes its links. */
function pageLink(request: EmulatorRequest, pageSize: number): (page: number) => string {
  const kept = [...request.query.entries()].filter(([key]) => !PAGING_KEYS.includes(key));
  return (page) => {
    const pairs = [...kept, ['page[number]', String(page)], ['page[size]', String(pageSize)]];
    const search = pairs
      .map(([key = '', value = '']) => `${encodeKey(key)}=${encodeURIComponent(value)}`)
      .join('&');
    return `${request.origin}/events?${search}`;
  };
}

function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%5B/g, '[').replace(/%5D/g, ']');
}

function badRequest(detail: string): EmulatorResponse {
  return fastlyError(400, { msg: 'Bad Request', detail });
}

function fastlyError(status: number, body: { msg: string; detail?: string }): EmulatorResponse {
  return { status, headers: { 'content-type': 'application/json' }, body };
}
