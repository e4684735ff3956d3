import { toSingleCredentialKind } from '../shared/toSingleCredentialKind';
import type { SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';
import type { FastlySourceConfig } from './createFastlySource';
import { createFastlySource } from './createFastlySource';
import { FASTLY_CAPABILITIES } from './fastlyPushdown';

export interface FastlyKindConfig extends SourceConfigBase, FastlySourceConfig {
  readonly kind: 'fastly';
}

/** Fastly's account events (`GET /events`): providers.md §1. */
export const FASTLY_KIND: SourceKindDefinition<FastlyKindConfig> = {
  ...toSingleCredentialKind({
    kind: 'fastly',
    provider: 'FASTLY',
    baseUrl: 'https://api.fastly.com',
    documentedRateLimit:
      'reads (GET, HEAD) are not limited; 1,000 other requests per hour per user, then HTTP 429',
    credentialKey: 'token',
    variablePrefix: 'FASTLY',
  }),
  capabilities: FASTLY_CAPABILITIES,
  createSource: createFastlySource,
};
