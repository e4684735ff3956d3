// Choices where no official source decides, with the reasons: fusionAuthUnconfirmedChoices.ts
import type { EventLogWire } from '../../providers/fusionauth-event-log/EventLogWire';
import type { AuditLogWire } from '../../providers/fusionauth-audit-log/AuditLogWire';
import type { FusionAuthErrorsWire } from '../../providers/fusionauth-shared/FusionAuthErrorsWire';
import { headerOf } from '../shared/headerOf';
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
  /** The tenant the API key is locked to: another tenant in `X-FusionAuth-TenantId` gets a 401. */
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

  function searchRoutes<R extends EventLogWire | AuditLogWire>(
    resource: FusionAuthLogResource,
    store: FusionAuthLogStore<R>,
    listKey: 'eventLogs' | 'auditLogs',
    itemKey: 'eventLog' | 'auditLog',
  ): Route[] {
    const search = (request: EmulatorRequest, input: FusionAuthCriteriaInput): EmulatorResponse => {
      const parsed = parseFusionAuthSearchCriteria(resource, input);
      if (!parsed.ok) return badRequest(parsed.errors);
      const { page, total } = searchFusionAuthLogs(store, parsed.criteria, {
        shuffleTies: request.knobs.shuffleTies,
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
        handle: (r) => search(r, { from: 'query', query: r.query }),
      },
      {
        method: 'POST',
        pattern: `${base}/search`,
        handle: (r) => search(r, { from: 'body', body: r.body }),
      },
      { method: 'GET', pattern: `${base}/:id`, handle: retrieve },
    ];
  }

  function authenticate(request: EmulatorRequest): EmulatorResponse | null {
    if (headerOf(request, 'authorization') !== apiKey) return { status: 401 };
    const tenant = headerOf(request, 'x-fusionauth-tenantid');
    if (
      options.tenantId !== undefined &&
      tenant !== undefined &&
      tenant.toLowerCase() !== options.tenantId.toLowerCase()
    ) {
      return { status: 401 };
    }
    return null;
  }

  const server = await startEmulatorServer({
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
