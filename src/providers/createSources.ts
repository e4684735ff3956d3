import type { SourceConfig } from '../config';
import type { HttpClient } from '../http/createHttpClient';
import { createHttpClient } from '../http/createHttpClient';
import type { Source } from '../model/Source';
import { createCloudflareV1Source } from './cloudflare-v1/createCloudflareV1Source';
import { createCloudflareV2Source } from './cloudflare-v2/createCloudflareV2Source';
import { createFastlySource } from './fastly/createFastlySource';
import { createFusionAuthAuditLogSource } from './fusionauth-audit-log/createFusionAuthAuditLogSource';
import { createFusionAuthEventLogSource } from './fusionauth-event-log/createFusionAuthEventLogSource';
import { createNirvanaSource } from './nirvana/createNirvanaSource';

export interface SourceSet {
  readonly sources: readonly Source[];
  /** Closes every source's connection pool. */
  close(): Promise<void>;
}

export interface SourceDeps {
  readonly now: () => number;
  /** Called once per upstream request (metrics, tests). */
  readonly onRequest?: (sourceId: string) => void;
}

/** One adapter per configured source, each with its own keep-alive pool. */
export function createSources(configs: readonly SourceConfig[], deps: SourceDeps): SourceSet {
  const clients: HttpClient[] = [];
  const sources = configs.map((config) => {
    const http = createHttpClient({
      baseUrl: config.baseUrl,
      sourceId: config.id,
      ...(deps.onRequest ? { onRequest: () => deps.onRequest?.(config.id) } : {}),
    });
    clients.push(http);
    return createSource(config, { http, now: deps.now });
  });
  return {
    sources,
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

function createSource(config: SourceConfig, deps: { http: HttpClient; now: () => number }): Source {
  const required = (value: string | undefined, key: string): string => {
    // config.ts has checked this; a missing value here is a bug, not a user error.
    if (value === undefined) throw new Error(`source ${config.id} has no ${key}`);
    return value;
  };
  const tenant = config.tenantId === undefined ? {} : { tenantId: config.tenantId };
  switch (config.kind) {
    case 'fastly':
      return createFastlySource({ id: config.id, token: required(config.token, 'token') }, deps);
    case 'cloudflare-v1':
      return createCloudflareV1Source(
        {
          id: config.id,
          token: required(config.token, 'token'),
          accountId: required(config.accountId, 'accountId'),
        },
        deps,
      );
    case 'cloudflare-v2':
      return createCloudflareV2Source(
        {
          id: config.id,
          token: required(config.token, 'token'),
          accountId: required(config.accountId, 'accountId'),
        },
        deps,
      );
    case 'fusionauth-event-log':
      return createFusionAuthEventLogSource(
        { id: config.id, apiKey: required(config.apiKey, 'apiKey'), ...tenant },
        deps,
      );
    case 'fusionauth-audit-log':
      return createFusionAuthAuditLogSource(
        { id: config.id, apiKey: required(config.apiKey, 'apiKey'), ...tenant },
        deps,
      );
    case 'nirvana':
      return createNirvanaSource(
        { id: config.id, apiKey: required(config.apiKey, 'apiKey') },
        deps,
      );
  }
}
