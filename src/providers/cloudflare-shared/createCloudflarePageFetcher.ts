import type { z } from 'zod';
import type { ListOptions } from '../../model/Source';
import { parseSourcePayload } from '../shared/parseSourcePayload';
import { toQueryString } from '../shared/toQueryString';
import { toRequestOptions } from '../shared/toRequestOptions';
import type { SourceRef } from '../../model/AuditEvent';
import type { Source } from '../../model/Source';
import type { KindCapabilities } from '../shared/pushdown';
import { toSourceDescription } from '../shared/toSourceDescription';
import { CLOUDFLARE_WINDOW_SLACK_MS } from './toCloudflareTimeWindow';
import type { CloudflareSourceConfig, CloudflareSourceDeps } from './cloudflareSourceConfig';
import { assertCloudflareSourceConfig } from './cloudflareSourceConfig';

/** Where one version lists an account's logs, the envelope it answers with, and its facts. */
export interface CloudflareListApi<T> {
  readonly kind: 'cloudflare-v1' | 'cloudflare-v2';
  /** Under `/accounts/{account_id}/`. */
  readonly path: string;
  readonly schema: z.ZodType<T>;
  readonly maxPageSize: number;
  readonly capabilities: KindCapabilities;
}

/**
 * One page: the envelope checked against the version's page schema (which checks of each record
 * only its head, its id and time), and the records as they arrived, for the events to check
 * whole when read (toLazyEvents.ts).
 */
export interface CloudflarePage<T> {
  readonly body: T;
  readonly records: readonly unknown[];
}

export type CloudflarePageFetcher<T> = (
  params: readonly (readonly [string, string])[],
  options?: ListOptions,
) => Promise<CloudflarePage<T>>;

/**
 * What both Cloudflare versions build a source from: the source's description, and one page of
 * an audit-log list (`/accounts/{id}/<path>?<params>`), with the token as a
 * bearer, checked against the version's envelope: both versions read their logs this way. The
 * config is checked once, here, when the source is built; `source` names it in mapped events.
 */
export function createCloudflarePageFetcher<T>(
  api: CloudflareListApi<T>,
  config: CloudflareSourceConfig,
  deps: CloudflareSourceDeps,
): {
  readonly source: SourceRef;
  readonly description: Omit<Source, 'list' | 'get'>;
  readonly fetchPage: CloudflarePageFetcher<T>;
} {
  assertCloudflareSourceConfig(config);
  const { kind, path, schema } = api;
  const url = `/accounts/${encodeURIComponent(config.accountId)}/${path}`;
  const headers = { authorization: `Bearer ${config.token}` };
  const source: SourceRef = { id: config.id, kind };
  const fetchPage: CloudflarePageFetcher<T> = async (params, options) => {
    const response = await deps.http.requestJson(
      `${url}?${toQueryString(params)}`,
      toRequestOptions(headers, options),
    );
    const body = parseSourcePayload(
      schema,
      response.body,
      config.id,
      `answered with a payload that does not match the ${kind} API`,
    );
    return { body, records: (response.body as { result: unknown[] }).result };
  };
  const description = toSourceDescription(config.id, {
    kind,
    provider: 'CLOUDFLARE',
    maxPageSize: api.maxPageSize,
    windowSlackMs: CLOUDFLARE_WINDOW_SLACK_MS,
    capabilities: api.capabilities,
  });
  return { source, description, fetchPage };
}
