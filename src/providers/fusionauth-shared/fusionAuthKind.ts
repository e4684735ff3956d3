import { credential, requiredText, UUID } from '../shared/configSchemas';
import type { FusionAuthSourceConfig } from './createFusionAuthLogSource';
import type { EnvShortcut, SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';

export interface FusionAuthKindConfig<K extends 'fusionauth-event-log' | 'fusionauth-audit-log'>
  extends SourceConfigBase, FusionAuthSourceConfig {
  readonly kind: K;
}

/** What FusionAuth's two logs have in common as kinds. */
export const FUSIONAUTH_KIND_COMMON = {
  provider: 'FUSIONAUTH',
  // FusionAuth is self-hosted: every source names its URL.
  defaultBaseUrl: null,
  lateArrivalSeconds: 0,
  // FusionAuth documents no limit: our choice, generous enough for any dashboard.
  rateLimit: { capacity: 40, refillPerSecond: 20 },
  documentedRateLimit: null,
  credentialFamily: 'fusionauth',
  configKeys: (required: string) => ({
    apiKey: credential(required).describe('A FusionAuth API key that may read the log'),
    tenantId: requiredText(required)
      .regex(UUID, { error: 'must be a UUID' })
      .describe('The tenant to read (a UUID), when the API key is not bound to one')
      .optional(),
  }),
  secretKeys: ['apiKey'],
  credentialOf: (config: { readonly apiKey: string }) => config.apiKey,
  describe: (config: { readonly tenantId?: string }) =>
    config.tenantId === undefined ? [] : [`tenant ${config.tenantId}`],
} as const satisfies Partial<SourceKindDefinition<FusionAuthKindConfig<'fusionauth-audit-log'>>>;

/**
 * One FusionAuth from the environment. One FusionAuth holds both logs, and a key that reads one
 * usually reads the other: the shortcut adds both, each its own source, so a failure of one is
 * reported on its own.
 */
export const FUSIONAUTH_ENV_SHORTCUT: EnvShortcut = {
  required: ['FUSIONAUTH_URL', 'FUSIONAUTH_API_KEY'],
  optional: ['FUSIONAUTH_TENANT_ID'],
  rateLimitVariable: 'FUSIONAUTH_RATE_LIMIT',
  variables: [
    {
      name: 'FUSIONAUTH_URL',
      description:
        'With FUSIONAUTH_API_KEY, adds sources `fusionauth-audit-log` and `fusionauth-event-log`',
      default: null,
    },
    {
      name: 'FUSIONAUTH_API_KEY',
      description: 'API key of those two sources',
      default: null,
      secret: true,
    },
    {
      name: 'FUSIONAUTH_TENANT_ID',
      description: 'Tenant of those two sources (a UUID), when the key is not tenant-bound',
      default: null,
    },
  ],
  build: (read) =>
    (['fusionauth-audit-log', 'fusionauth-event-log'] as const).map((kind) => ({
      raw: {
        id: kind,
        kind,
        baseUrl: read('FUSIONAUTH_URL'),
        apiKey: read('FUSIONAUTH_API_KEY'),
        tenantId: read('FUSIONAUTH_TENANT_ID'),
      },
      variables: {
        baseUrl: 'FUSIONAUTH_URL',
        apiKey: 'FUSIONAUTH_API_KEY',
        tenantId: 'FUSIONAUTH_TENANT_ID',
      },
    })),
};
