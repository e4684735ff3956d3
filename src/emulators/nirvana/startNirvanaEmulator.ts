/*
 * ===================================== UNCONFIRMED CHOICES =====================================
 * What providers.md §5 leaves open (with reasons, the one table is ../unconfirmedChoices.ts;
 * UNCONFIRMED.md is made from it). The real API may differ on any of these; the adapter must
 * not depend on them.
 *
 *  1. Default order `created_at:desc`. Entries the sort leaves equal: with `knobs.shuffleTies`
 *     ranked by a hash of (filters + sort, id) — different per query, fixed along one chain —
 *     else by id; either way in the direction of the first sort term.
 *  2. `limit` outside 10..100 or not an integer → 400 (never clamped).
 *  3. Error bodies are `{"error": {"code": "<code>", "message": "<text>"}}` with codes
 *     `invalid_parameter`, `invalid_cursor`, `unauthorized`, `not_found` — invented.
 *  4. `total_count` = the number of entries matching the filters (cursor and limit left out), at
 *     the time of the request.
 *  5. Cursors are opaque base64url text holding a keyset position (sort values + id) and a hash
 *     of the filters and sort. A cursor made for other filters or another sort → 400
 *     `invalid_cursor`, as is a malformed one. `limit` may change along a chain. Cursors do not
 *     expire. Entries inserted during a traversal appear only if they sort after its position.
 *  6. `previous_cursor` is null on a page reached without a cursor and whenever nothing precedes
 *     the page; following it returns the `limit` entries just before the page, in the same order.
 *     `next_cursor` is null when nothing follows the page.
 *  7. `created_at_min` / `created_at_max` are inclusive (documented) and accept any RFC 3339
 *     date-time, fractions and offsets included; a value that is not one → 400.
 *  8. `method`: exact, case-insensitive. `path`: case-insensitive substring (documented).
 *     `action`, `actor_id`, `target_id`, `target_type`: exact, case-sensitive (the gateway
 *     compares them so too). `client_ip`: one address, compared as an address — any textual
 *     form of it, and an IPv4-mapped IPv6 address equal to its IPv4 address, as the gateway's IP
 *     filter has it; a value that is not an address compares as text.
 *     `actor_type` not `user`|`api_key` → 400. `status_code_min`/`max` inclusive; min > max gives
 *     an empty list. `sort`: `created_at|status_code` : `asc|desc`, lower case, each field once.
 *  9. Empty parameter values count as absent; unknown parameters are ignored.
 * 10. Missing header, another scheme than Bearer (scheme case-insensitive) or another key → 401,
 *     checked before routing; unknown path or id → 404.
 * 11. No rate limiting (none documented): 429 only when a test injects it.
 * ================================================================================================
 *
 * Quirks, each a constructor option, off by default, for testing adapters against behaviour the
 * real API may or may not have:
 *  - `emptyPageAfterLastCursor`: the last non-empty page of a chain still carries a
 *    `next_cursor`; following it answers an empty page with `next_cursor: null`.
 */
import type { NirvanaAuditLogWire } from '../../providers/nirvana/NirvanaAuditLogWire';
import { parseRfc3339 } from '../../providers/nirvana/parseRfc3339';
import { createRecordStore } from '../shared/createRecordStore';
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
  /** Quirk (see the header): the last page hands out one more cursor, to an empty page. */
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
  let server: EmulatorServer | null = null;

  function list(request: EmulatorRequest): EmulatorResponse {
    const parsed = parseNirvanaListQuery(request.query);
    if (!parsed.ok) return error(400, 'invalid_parameter', parsed.message);
    const result = listNirvanaAuditLogs(store, parsed.query, {
      shuffleTies: server?.knobs.shuffleTies ?? true,
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
    const value = request.headers.authorization;
    const text = Array.isArray(value) ? value[0] : value;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(text ?? '');
    return match?.[1] === apiKey ? null : error(401, 'unauthorized', 'invalid or missing API key');
  }

  server = await startEmulatorServer({
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
