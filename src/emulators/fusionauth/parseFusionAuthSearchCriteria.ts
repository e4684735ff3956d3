import {
  EVENT_LOG_TYPES,
  type EventLogType,
} from '../../providers/fusionauth-event-log/EventLogWire';
import type {
  FusionAuthErrorWire,
  FusionAuthErrorsWire,
} from '../../providers/fusionauth-shared/FusionAuthErrorsWire';

export type FusionAuthLogResource = 'event-log' | 'audit-log';

export type FusionAuthOrderColumn = 'insertInstant' | 'insertUser' | 'message' | 'type';

export interface FusionAuthOrderTerm {
  readonly column: FusionAuthOrderColumn;
  readonly descending: boolean;
}

/** The criteria of both searches; a field the resource does not have stays null. */
export interface FusionAuthSearchCriteria {
  readonly start: number | null;
  readonly end: number | null;
  readonly message: string | null;
  /** Event log only. */
  readonly type: EventLogType | null;
  /** Audit log only: matched against `insertUser`. */
  readonly user: string | null;
  readonly newValue: string | null;
  readonly oldValue: string | null;
  readonly reason: string | null;
  readonly tenantId: string | null;
  readonly numberOfResults: number;
  readonly startRow: number;
  readonly orderBy: readonly FusionAuthOrderTerm[];
}

export type FusionAuthCriteriaInput =
  | { readonly from: 'query'; readonly query: URLSearchParams }
  | { readonly from: 'body'; readonly body: unknown };

export type FusionAuthCriteriaResult =
  | { readonly ok: true; readonly criteria: FusionAuthSearchCriteria }
  | { readonly ok: false; readonly errors: FusionAuthErrorsWire };

/** Our choice (UNCONFIRMED upstream): see UNCONFIRMED.md. */
export const FUSIONAUTH_MAX_NUMBER_OF_RESULTS = 1000;
export const FUSIONAUTH_DEFAULT_NUMBER_OF_RESULTS = 25;

type FieldKind = 'long' | 'int' | 'string' | 'eventLogType' | 'uuid';

const COMMON_FIELDS = {
  start: 'long',
  end: 'long',
  message: 'string',
  numberOfResults: 'int',
  startRow: 'int',
  orderBy: 'string',
} as const satisfies Record<string, FieldKind>;

const FIELDS: Readonly<Record<FusionAuthLogResource, Readonly<Record<string, FieldKind>>>> = {
  'event-log': { ...COMMON_FIELDS, type: 'eventLogType' },
  'audit-log': {
    ...COMMON_FIELDS,
    user: 'string',
    newValue: 'string',
    oldValue: 'string',
    reason: 'string',
    tenantId: 'uuid',
  },
};

/**
 * The documented orderBy columns. The event log docs list `insertUser` although an event log
 * entry has no such field; it is accepted and sorts every entry as equal.
 */
const ORDER_COLUMNS: Readonly<Record<FusionAuthLogResource, readonly FusionAuthOrderColumn[]>> = {
  'event-log': ['insertInstant', 'insertUser', 'message', 'type'],
  'audit-log': ['insertInstant', 'insertUser', 'message'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the criteria of `GET …/search?<criteria>` or `POST …/search {"search": {...}}` the way
 * FusionAuth's request binding does: defaults for what is absent, `[couldNotConvert]` for a
 * value of the wrong kind, `[invalid]` for one out of range, `[invalidJSON]` for a body that does
 * not bind (the exact codes and messages are our choice; see UNCONFIRMED.md).
 */
export function parseFusionAuthSearchCriteria(
  resource: FusionAuthLogResource,
  input: FusionAuthCriteriaInput,
): FusionAuthCriteriaResult {
  const fields = FIELDS[resource];
  const raw = new Map<string, unknown>();
  if (input.from === 'query') {
    for (const name of Object.keys(fields)) {
      const value = input.query.get(name);
      if (value !== null && value !== '') raw.set(name, value);
    }
  } else {
    const body = input.body;
    if (!isPlainObject(body)) return invalidJson('The request body is not a JSON object.');
    const search = body.search ?? {};
    if (!isPlainObject(search)) return invalidJson('The property [search] is not a JSON object.');
    for (const [name, value] of Object.entries(search)) {
      if (!(name in fields)) {
        return invalidJson(`The property [search.${name}] is not a known property.`);
      }
      if (value !== null) raw.set(name, value);
    }
  }

  const fieldErrors: Record<string, FusionAuthErrorWire[]> = {};
  const fail = (name: string, code: 'couldNotConvert' | 'invalid', message: string): void => {
    const key = `search.${name}`;
    (fieldErrors[key] ??= []).push({ code: `[${code}]${key}`, message });
  };

  const values = new Map<string, string | number>();
  for (const [name, value] of raw) {
    const kind = fields[name] as FieldKind;
    const converted = convert(kind, value);
    if (converted === undefined) {
      if (input.from === 'body' && typeof value !== 'string' && typeof value !== 'number') {
        return invalidJson(`The property [search.${name}] has a value of the wrong type.`);
      }
      fail(name, 'couldNotConvert', `Invalid value for [search.${name}].`);
    } else {
      values.set(name, converted);
    }
  }

  const numberOfResults =
    (values.get('numberOfResults') as number | undefined) ?? FUSIONAUTH_DEFAULT_NUMBER_OF_RESULTS;
  if (numberOfResults < 1 || numberOfResults > FUSIONAUTH_MAX_NUMBER_OF_RESULTS) {
    fail(
      'numberOfResults',
      'invalid',
      `The [search.numberOfResults] must be between 1 and ${FUSIONAUTH_MAX_NUMBER_OF_RESULTS}.`,
    );
  }
  const startRow = (values.get('startRow') as number | undefined) ?? 0;
  if (startRow < 0) fail('startRow', 'invalid', 'The [search.startRow] must not be negative.');
  const orderBy = parseOrderBy(
    (values.get('orderBy') as string | undefined) ?? 'insertInstant DESC',
    ORDER_COLUMNS[resource],
  );
  if (orderBy === null) {
    fail(
      'orderBy',
      'invalid',
      `The [search.orderBy] must name one of the columns [${ORDER_COLUMNS[resource].join(', ')}], each optionally followed by ASC or DESC.`,
    );
  }

  if (Object.keys(fieldErrors).length > 0 || orderBy === null) {
    return { ok: false, errors: { fieldErrors } };
  }
  const text = (name: string): string | null => (values.get(name) as string | undefined) ?? null;
  const long = (name: string): number | null => (values.get(name) as number | undefined) ?? null;
  return {
    ok: true,
    criteria: {
      start: long('start'),
      end: long('end'),
      message: text('message'),
      type: text('type') as EventLogType | null,
      user: text('user'),
      newValue: text('newValue'),
      oldValue: text('oldValue'),
      reason: text('reason'),
      tenantId: text('tenantId'),
      numberOfResults,
      startRow,
      orderBy,
    },
  };
}

/** The converted value, or undefined when it does not convert. */
function convert(kind: FieldKind, value: unknown): string | number | undefined {
  switch (kind) {
    case 'long':
    case 'int': {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^-?\d+$/.test(value.trim())
            ? Number(value.trim())
            : Number.NaN;
      if (!Number.isSafeInteger(number)) return undefined;
      if (kind === 'int' && Math.abs(number) > 2_147_483_647) return undefined;
      return number;
    }
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'eventLogType':
      return typeof value === 'string' && (EVENT_LOG_TYPES as readonly string[]).includes(value)
        ? value
        : undefined;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
  }
}

function parseOrderBy(
  text: string,
  columns: readonly FusionAuthOrderColumn[],
): FusionAuthOrderTerm[] | null {
  const terms: FusionAuthOrderTerm[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(part);
    const column = columns.find((candidate) => candidate === match?.[1]);
    if (match === null || column === undefined) return null;
    terms.push({ column, descending: match[2]?.toUpperCase() === 'DESC' });
  }
  return terms;
}

function invalidJson(message: string): FusionAuthCriteriaResult {
  return {
    ok: false,
    errors: {
      generalErrors: [
        { code: '[invalidJSON]', message: `Unable to parse the request. ${message}` },
      ],
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
