import { createRecordStore, type RecordStore } from '../shared/createRecordStore';
import {
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
} from '../startEmulatorServer';
import { authenticateCloudflare } from './authenticateCloudflare';
import {
  DEFAULT_CLOUDFLARE_ACCOUNT_ID,
  DEFAULT_CLOUDFLARE_TOKEN,
} from './cloudflareEmulatorDefaults';
import {
  checkCloudflareAccount,
  cloudflareNoRoute,
  withCloudflareHeaders,
} from './cloudflareFailure';

export interface CloudflareEmulatorOptions<R> {
  readonly records: readonly R[];
  readonly token?: string;
  readonly accountId?: string;
  readonly host?: string;
  readonly port?: number;
}

export interface CloudflareEmulator<R> extends EmulatorServer {
  /** The live store, sorted by time; add through `insert`. */
  readonly records: readonly R[];
  readonly token: string;
  readonly accountId: string;
  insert(record: R): void;
}

/** What one version of the audit-log API is; the account, auth and envelope rules are shared. */
export interface CloudflareAuditLogApi<R extends { readonly id: string }> {
  readonly name: 'cloudflare-v1' | 'cloudflare-v2';
  /** Under `/client/v4/accounts/:accountId/`. */
  readonly path: string;
  readonly timeOf: (record: R) => number;
  /** Answers a list request for the emulator's own account. */
  readonly list: (request: EmulatorRequest, store: RecordStore<R, string>) => EmulatorResponse;
}

/**
 * Serves one version's `GET /client/v4/accounts/:account_id/…` (a base URL of
 * `<url>/client/v4`): its token in either of Cloudflare's auth forms, the account in the path,
 * the v4 failure envelope and the rate-limit headers on every response.
 */
export async function startCloudflareEmulator<R extends { readonly id: string }>(
  api: CloudflareAuditLogApi<R>,
  options: CloudflareEmulatorOptions<R>,
): Promise<CloudflareEmulator<R>> {
  const token = options.token ?? DEFAULT_CLOUDFLARE_TOKEN;
  const accountId = options.accountId ?? DEFAULT_CLOUDFLARE_ACCOUNT_ID;
  const store = createRecordStore(options.records, {
    name: `${api.name} audit log`,
    timeOf: api.timeOf,
    idOf: (record) => record.id,
  });
  const server = await startEmulatorServer({
    name: api.name,
    routes: [
      {
        method: 'GET',
        pattern: `/client/v4/accounts/:accountId/${api.path}`,
        handle: (request) =>
          withCloudflareHeaders(
            checkCloudflareAccount(request.params['accountId'], accountId, request.path) ??
              api.list(request, store),
          ),
      },
    ],
    authenticate: (request) => {
      const failure = authenticateCloudflare(request, token);
      return failure === null ? null : withCloudflareHeaders(failure);
    },
    notFound: () => withCloudflareHeaders(cloudflareNoRoute()),
    host: options.host,
    port: options.port,
  });
  return Object.assign(server, {
    records: store.records,
    token,
    accountId,
    insert: (record: R) => store.insert(record),
  });
}
