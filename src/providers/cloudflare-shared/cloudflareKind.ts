import { credential, requiredText } from '../shared/configSchemas';
import type { CloudflareSourceConfig } from './cloudflareSourceConfig';
import type { EnvShortcut, SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';

export interface CloudflareKindConfig<K extends 'cloudflare-v1' | 'cloudflare-v2'>
  extends SourceConfigBase, CloudflareSourceConfig {
  readonly kind: K;
}

export const CLOUDFLARE_BASE_URL = 'https://api.cloudflare.com/client/v4';

/** What both versions of Cloudflare's audit logs have in common as kinds. */
export const CLOUDFLARE_KIND_COMMON = {
  provider: 'CLOUDFLARE',
  defaultBaseUrl: CLOUDFLARE_BASE_URL,
  /**
   * Cloudflare documents 1200 requests per 5 minutes per user, cumulative across all of the
   * user's tokens, and a call over it blocks every call of the user for five minutes. A full
   * burst plus five minutes of refill (50 + 3.5 × 300 = 1100) stays under 1200 in any 5-minute
   * window and leaves room for the dashboard and other tools of the same user.
   */
  rateLimit: { capacity: 50, refillPerSecond: 3.5 },
  documentedRateLimit:
    "1200 requests per 5 minutes per user, across all of the user's tokens; a call over it blocks the user's calls for 5 minutes",
  credentialFamily: 'cloudflare',
  configKeys: (required: string) => ({
    token: credential(required).describe(
      'A Cloudflare API token with the Account Settings Read permission',
    ),
    // It goes into the request path: nothing that could change the path.
    accountId: requiredText(required)
      .regex(/^[A-Za-z0-9_-]{1,64}$/, {
        error: 'must be a Cloudflare account id (letters, digits, "-" or "_")',
      })
      .describe('The account whose audit logs the source reads'),
  }),
  secretKeys: ['token'],
  credentialOf: (config: { readonly token: string }) => config.token,
  describe: (config: { readonly accountId: string }) => [`account ${config.accountId}`],
} as const satisfies Partial<SourceKindDefinition<CloudflareKindConfig<'cloudflare-v2'>>>;

/**
 * One Cloudflare account from the environment, read with audit logs v2 unless
 * `CLOUDFLARE_AUDIT_LOG_VERSION` says v1: one shortcut for both kinds.
 */
export const CLOUDFLARE_ENV_SHORTCUT: EnvShortcut = {
  required: ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID'],
  optional: ['CLOUDFLARE_AUDIT_LOG_VERSION', 'CLOUDFLARE_BASE_URL'],
  rateLimitVariable: 'CLOUDFLARE_RATE_LIMIT',
  variables: [
    {
      name: 'CLOUDFLARE_API_TOKEN',
      description: 'With CLOUDFLARE_ACCOUNT_ID, adds source `cloudflare`',
      default: null,
      secret: true,
    },
    {
      name: 'CLOUDFLARE_ACCOUNT_ID',
      description: 'The account whose audit logs `cloudflare` reads',
      default: null,
    },
    {
      name: 'CLOUDFLARE_AUDIT_LOG_VERSION',
      description: '`v1` (kind cloudflare-v1) or `v2` (kind cloudflare-v2)',
      default: 'v2',
    },
    {
      name: 'CLOUDFLARE_BASE_URL',
      description: 'Base URL of that source',
      default: CLOUDFLARE_BASE_URL,
    },
  ],
  build: (read) => {
    const version = (read('CLOUDFLARE_AUDIT_LOG_VERSION') ?? 'v2').trim().toLowerCase();
    if (version !== 'v1' && version !== 'v2') {
      throw new Error('CLOUDFLARE_AUDIT_LOG_VERSION must be v1 or v2');
    }
    return [
      {
        raw: {
          id: 'cloudflare',
          kind: `cloudflare-${version}`,
          token: read('CLOUDFLARE_API_TOKEN'),
          accountId: read('CLOUDFLARE_ACCOUNT_ID'),
          baseUrl: read('CLOUDFLARE_BASE_URL'),
        },
        variables: {
          token: 'CLOUDFLARE_API_TOKEN',
          accountId: 'CLOUDFLARE_ACCOUNT_ID',
          baseUrl: 'CLOUDFLARE_BASE_URL',
        },
      },
    ];
  },
};
