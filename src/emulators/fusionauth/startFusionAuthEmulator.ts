/*
 * ===================================== UNCONFIRMED CHOICES =====================================
 * What providers.md §4 leaves open (with reasons, the one table is ../unconfirmedChoices.ts;
 * UNCONFIRMED.md is made from it). A real FusionAuth may differ on any of these; the adapters
 * must not depend on them.
 *
 *  1. `start` and `end` are both INCLUSIVE (start <= insertInstant <= end). start > end: 200, none.
 *  2. `numberOfResults` must be 1..1000; outside → 400 `[invalid]search.numberOfResults`.
 *     `startRow` must be >= 0 → else 400; past the end → 200 with an empty list and the total.
 *  3. Wildcard criteria (`message`, `user`, `newValue`, `oldValue`, `reason`) are
 *     CASE-INSENSITIVE — both the value and the text lower-cased (Unicode default mapping, as the
 *     gateway's own filters do) — and match the whole text (`*` = any run, no `*` = `*value*`;
 *     every other character, `%`, `_` and `\` included, is literal); `newValue`, `oldValue` and
 *     `reason` match at the top level or under `data`, a non-string value as its JSON text.
 *     The adapters push `*text*` and `*email*` relying on the case-insensitivity: a real
 *     FusionAuth that compared case-sensitively would lose events.
 *  4. `type` is exact and case-sensitive (a Java enum: another value is a 400); `tenantId` exact.
 *  5. `orderBy`: comma-separated `column [ASC|DESC]` terms over the documented columns (event log:
 *     insertInstant, insertUser, message, type; audit log: insertInstant, insertUser, message);
 *     text columns compare case-insensitively. Anything else → 400 `[invalid]search.orderBy`.
 *  6. Ties (entries the order leaves equal): no documented tie-break. With `knobs.shuffleTies`
 *     each different search (its criteria minus startRow/numberOfResults) ranks ties by a hash,
 *     stable across the pages of that search; without it, by id in the first term's direction.
 *  7. 400 bodies: `{"fieldErrors": {"search.<name>": [{code, message}]}}` with codes
 *     `[couldNotConvert]search.<name>` (wrong kind of value) and `[invalid]search.<name>` (out of
 *     range); a POST body that does not bind (not an object, an unknown property in `search`, a
 *     value of the wrong JSON type) → `{"generalErrors": [{"code": "[invalidJSON]", …}]}`. The
 *     codes follow FusionAuth's `[code]field` style; the exact codes and messages are invented.
 *     A POST without `search` searches with the defaults.
 *  8. GET criteria are read from the bare names (`start`, `message`, …) as the docs show; unknown
 *     query parameters are ignored. An empty value counts as absent.
 *  9. Empty results still carry `eventLogs: []` / `auditLogs: []` (whether FusionAuth omits an
 *     empty list is unknown; the adapters accept both).
 * 10. `GET …/{id}` with an id that is not a Long → 400 `[couldNotConvert]<x>LogId`; unknown → 404.
 * 11. `X-FusionAuth-TenantId`: when `tenantId` is configured, the API key is treated as locked to
 *     that tenant and a request naming another tenant gets 401; results are never filtered by the
 *     header (event logs are global; how a tenant-locked key scopes audit logs is unknown).
 * 12. No rate limiting (none documented for these APIs): 429 only when a test injects it.
 * 13. Unknown paths → 404 with an empty body, after authentication (401 first).
 * ================================================================================================
 */
import type { EventLogWire } from '../../providers/fusionauth-event-log/EventLogWire';
import type { AuditLogWire } from '../../providers/fusionauth-audit-log/AuditLogWire';
import type { FusionAuthErrorsWire } from '../../providers/fusionauth-shared/FusionAuthErrorsWire';
import {
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
  type Route,
} from '../startEmulatorServer';
import {
  parseFusionAuthSearchCriteria,
  type FusionAuthCriteriaInput,
  type FusionAuthLogResource,
} from './parseFusionAuthSearchCriteria';
import {
  createFusionAuthLogStore,
  searchFusionAuthLogs,
  type FusionAuthLogStore,
} from './searchFusionAuthLogs';

export interface FusionAuthEmulatorOptions {
  readonly eventLogs: readonly EventLogWire[];
  readonly auditLogs: readonly AuditLogWire[];
  /** The API key accepted in `Authorization` (raw, no scheme). */
  readonly apiKey?: string;
  /** The tenant the API key is locked to (see choice 10). */
  readonly tenantId?: string;
  readonly host?: string;
  readonly port?: number;
}

export interface FusionAuthEmulator extends EmulatorServer {
  readonly apiKey: string;
  /** Live: sorted by insertInstant, then id. */
  readonly eventLogs: readonly EventLogWire[];
  /** Live: sorted by insertInstant, then id. */
  readonly auditLogs: readonly AuditLogWire[];
  /** Adds an entry as FusionAuth would log it while clients page; throws when the id is taken. */
  insertEventLog(record: EventLogWire): void;
  insertAuditLog(record: AuditLogWire): void;
}

export const FUSIONAUTH_EMULATOR_API_KEY = 'fusionauth-emulator-api-key';

/**
 * One emulated FusionAuth instance serving the Event Log and the Audit Log APIs (providers.md §4):
 * `GET|POST /api/system/{event-log,audit-log}/search` and `GET /api/system/{…}/{id}`, behind
 * `Authorization: <API key>`, with FusionAuth's envelopes, empty 401/404 bodies and `Errors` 400s.
 */
export async function startFusionAuthEmulator(
  options: FusionAuthEmulatorOptions,
): Promise<FusionAuthEmulator> {
  const apiKey = options.apiKey ?? FUSIONAUTH_EMULATOR_API_KEY;
  const eventLogs = createFusionAuthLogStore(options.eventLogs, 'FusionAuth event log');
  const auditLogs = createFusionAuthLogStore(options.auditLogs, 'FusionAuth audit log');
  let server: EmulatorServer | null = null;
  const shuffleTies = (): boolean => server?.knobs.shuffleTies ?? true;

  function searchRoutes<R extends EventLogWire | AuditLogWire>(
    resource: FusionAuthLogResource,
    store: FusionAuthLogStore<R>,
    listKey: 'eventLogs' | 'auditLogs',
    itemKey: 'eventLog' | 'auditLog',
  ): Route[] {
    const search = (input: FusionAuthCriteriaInput): EmulatorResponse => {
      const parsed = parseFusionAuthSearchCriteria(resource, input);
      if (!parsed.ok) return badRequest(parsed.errors);
      const { page, total } = searchFusionAuthLogs(store, parsed.criteria, {
        shuffleTies: shuffleTies(),
      });
      return { status: 200, body: { [listKey]: page, total } };
    };
    const retrieve = (request: EmulatorRequest): EmulatorResponse => {
      const idText = request.params.id ?? '';
      if (!/^-?\d{1,19}$/.test(idText)) {
        const field = `${itemKey}Id`;
        return badRequest({
          fieldErrors: {
            [field]: [
              { code: `[couldNotConvert]${field}`, message: `Invalid value for [${field}].` },
            ],
          },
        });
      }
      // A Long beyond the safe integers cannot name one of our entries: unknown, not invalid.
      const id = Number(idText);
      const record = Number.isSafeInteger(id) ? store.findById(id) : undefined;
      return record === undefined ? { status: 404 } : { status: 200, body: { [itemKey]: record } };
    };
    const base = `/api/system/${resource}`;
    return [
      {
        method: 'GET',
        pattern: `${base}/search`,
        handle: (r) => search({ from: 'query', query: r.query }),
      },
      {
        method: 'POST',
        pattern: `${base}/search`,
        handle: (r) => search({ from: 'body', body: r.body }),
      },
      { method: 'GET', pattern: `${base}/:id`, handle: retrieve },
    ];
  }

  function authenticate(request: EmulatorRequest): EmulatorResponse | null {
    if (header(request, 'authorization') !== apiKey) return { status: 401 };
    const tenant = header(request, 'x-fusionauth-tenantid');
    if (
      options.tenantId !== undefined &&
      tenant !== undefined &&
      tenant.toLowerCase() !== options.tenantId.toLowerCase()
    ) {
      return { status: 401 };
    }
    return null;
  }

  server = await startEmulatorServer({
    name: 'fusionauth',
    routes: [
      ...searchRoutes('event-log', eventLogs, 'eventLogs', 'eventLog'),
      ...searchRoutes('audit-log', auditLogs, 'auditLogs', 'auditLog'),
    ],
    authenticate,
    notFound: () => ({ status: 404 }),
    host: options.host,
    port: options.port,
  });

  return Object.assign(server, {
    apiKey,
    eventLogs: eventLogs.records,
    auditLogs: auditLogs.records,
    insertEventLog: (record: EventLogWire) => eventLogs.insert(record),
    insertAuditLog: (record: AuditLogWire) => auditLogs.insert(record),
  });
}

function badRequest(errors: FusionAuthErrorsWire): EmulatorResponse {
  return { status: 400, body: errors };
}

function header(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
