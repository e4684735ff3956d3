import { credential } from '../shared/configSchemas';
import { toSingleSourceShortcut } from '../shared/toSingleSourceShortcut';
import type { SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';
import type { FastlySourceConfig } from './createFastlySource';
import { createFastlySource } from './createFastlySource';
import { FASTLY_CAPABILITIES } from './fastlyPushdown';

export interface FastlyKindConfig extends SourceConfigBase, FastlySourceConfig {
  readonly kind: 'fastly';
}

const BASE_URL = 'https://api.fastly.com';

/** Fastly's account events (`GET /events`): providers.md §1. */
export const FASTLY_KIND: SourceKindDefinition<FastlyKindConfig> = {
  kind: 'fastly',
  provider: 'FASTLY',
  defaultBaseUrl: BASE_URL,
  lateArrivalSeconds: 0,
  // Fastly does not limit reads: our choice, only there to keep a runaway loop from hammering it.
  rateLimit: { capacity: 40, refillPerSecond: 20 },
  credentialFamily: 'fastly',
  configKeys: (required) => ({ token: credential(required) }),
  secretKeys: ['token'],
  envShortcut: toSingleSourceShortcut({
    kind: 'fastly',
    credentialKey: 'token',
    credentialVariable: 'FASTLY_API_TOKEN',
    baseUrlVariable: 'FASTLY_BASE_URL',
    defaultBaseUrl: BASE_URL,
  }),
  capabilities: FASTLY_CAPABILITIES,
  credentialOf: (config) => config.token,
  describe: () => [],
  createSource: createFastlySource,
};
