import type { z } from 'zod';
import type { ListOptions } from '../../model/Source';
import { parseSourcePayload } from '../shared/parseSourcePayload';
import { toQueryString } from '../shared/toQueryString';
import { toRequestOptions } from '../shared/toRequestOptions';
import type { SourceRef } from '../../model/AuditEvent';
import type { CloudflareSourceConfig, CloudflareSourceDeps } from './cloudflareSourceConfig';
import { assertCloudflareSourceConfig } from './cloudflareSourceConfig';

/** Where one version lists an account's logs, and the envelope it answers with. */
export interface CloudflareListApi<T> {
  readonly kind: 'cloudflare-v1' | 'cloudflare-v2';
  /** Under `/accounts/{account_id}/`. */
  readonly path: string;
  readonly schema: z.ZodType<T>;
}

export type CloudflarePageFetcher<T> = (
  params: readonly (readonly [string, string])[],
  options?: ListOptions,
) => Promise<T>;

/**
 * One page of a Cloudflare audit-log list (`/accounts/{id}/<path>?<params>`), with the token as a
 * bearer, checked against the version's envelope: both versions read their logs this way. The
 * config is checked once, here, when the source is built; `source` names it in mapped events.
 */
export function createCloudflarePageFetcher<T>(
  api: CloudflareListApi<T>,
  config: CloudflareSourceConfig,
  deps: CloudflareSourceDeps,
): { readonly source: SourceRef; readonly fetchPage: CloudflarePageFetcher<T> } {
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
    return parseSourcePayload(
      schema,
      response.body,
      config.id,
      `answered with a payload that does not match the ${kind} API`,
    );
  };
  return { source, fetchPage };
}
