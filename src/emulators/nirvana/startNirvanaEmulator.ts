// Choices where no official source decides, with the reasons: nirvanaUnconfirmedChoices.ts
import type { NirvanaAuditLogWire } from '../../providers/nirvana/NirvanaAuditLogWire';
import { parseRfc3339 } from '../../providers/nirvana/parseRfc3339';
import { createRecordStore } from '../shared/createRecordStore';
import { headerOf } from '../shared/headerOf';
import {
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
} from '../startEmulatorServer';
import { listNirvanaAuditLogs } from './listNirvanaAuditLogs';
import { parseNirvanaListQuery } from './parseNirvanaListQuery';

export interface NirvanaEmulatorOptions {
  readonly records: readonly NirvanaAuditLogWire[];
  /** The key accepted as `Authorization: Bearer <key>`. */
  readonly apiKey?: string;
  readonly host?: string;
  readonly port?: number;
  /**
   * Quirk: the last non-empty page of a chain still carries a `next_cursor`; following it answers
   * an empty page with `next_cursor: null`.
   */
  readonly emptyPageAfterLastCursor?: boolean;
}

export interface NirvanaEmulator extends EmulatorServer {
  readonly apiKey: string;
  /** Live: sorted by created_at, then id. */
  readonly records: readonly NirvanaAuditLogWire[];
  /** Adds an entry as the API would log it while clients page; throws when the id is taken. */
  insertRecord(record: NirvanaAuditLogWire): void;
}

export const NIRVANA_EMULATOR_API_KEY = 'nirvana-emulator-api-key';

/**
 * The Nirvana Labs audit-log API (providers.md §5): `GET /v1/audit_logs` with cursor pagination
 * and the Go SDK's filters, and `GET /v1/audit_logs/{id}` answering the bare entry.
 */
export async function startNirvanaEmulator(
  options: NirvanaEmulatorOptions,
): Promise<NirvanaEmulator> {
  const apiKey = options.apiKey ?? NIRVANA_EMULATOR_API_KEY;
  const store = createRecordStore(options.records, {
    name: 'Nirvana audit log',
    timeOf: (record) => parseRfc3339(record.created_at) ?? Number.NaN,
    idOf: (record) => record.id,
  });
  function list(request: EmulatorRequest): EmulatorResponse {
    const parsed = parseNirvanaListQuery(request.query);
    if (!parsed.ok) return error(400, 'invalid_parameter', parsed.message);
    const result = listNirvanaAuditLogs(store, parsed.query, {
      shuffleTies: request.knobs.shuffleTies,
      emptyPageAfterLastCursor: options.emptyPageAfterLastCursor ?? false,
    });
    if (!result.ok) return error(400, 'invalid_cursor', result.message);
    return {
      status: 200,
      body: {
        items: result.items,
        pagination: {
          next_cursor: result.nextCursor,
          previous_cursor: result.previousCursor,
          total_count: result.totalCount,
        },
      },
    };
  }

  function retrieve(request: EmulatorRequest): EmulatorResponse {
    const record = store.findById(request.params.id ?? '');
    return record === undefined
      ? error(404, 'not_found', 'audit log not found')
      : { status: 200, body: record };
  }

  function authenticate(request: EmulatorRequest): EmulatorResponse | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headerOf(request, 'authorization') ?? '');
    return match?.[1] === apiKey ? null : error(401, 'unauthorized', 'invalid or missing API key');
  }

  const server = await startEmulatorServer({
    name: 'nirvana',
    routes: [
      { method: 'GET', pattern: '/v1/audit_logs', handle: list },
      { method: 'GET', pattern: '/v1/audit_logs/:id', handle: retrieve },
    ],
    authenticate,
    notFound: () => error(404, 'not_found', 'route not found'),
    host: options.host,
    port: options.port,
  });

  return Object.assign(server, {
    apiKey,
    records: store.records,
    insertRecord: (record: NirvanaAuditLogWire) => store.insert(record),
  });
}

function error(status: number, code: string, message: string): EmulatorResponse {
  return { status, body: { error: { code, message } } };
}
