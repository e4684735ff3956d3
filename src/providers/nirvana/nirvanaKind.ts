import { credential } from '../shared/configSchemas';
import { toSingleSourceShortcut } from '../shared/toSingleSourceShortcut';
import type { SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';
import type { NirvanaSourceConfig } from './createNirvanaSource';
import { createNirvanaSource } from './createNirvanaSource';
import { NIRVANA_CAPABILITIES } from './nirvanaPushdown';

export interface NirvanaKindConfig extends SourceConfigBase, NirvanaSourceConfig {
  readonly kind: 'nirvana';
}

const BASE_URL = 'https://api.nirvanalabs.io';

/** Nirvana Labs' audit logs (`GET /v1/audit_logs`): providers.md §5. */
export const NIRVANA_KIND: SourceKindDefinition<NirvanaKindConfig> = {
  kind: 'nirvana',
  provider: 'NIRVANA',
  defaultBaseUrl: BASE_URL,
  lateArrivalSeconds: 0,
  // Nirvana documents no limit: our choice, generous enough for any dashboard.
  rateLimit: { capacity: 40, refillPerSecond: 20 },
  credentialFamily: 'nirvana',
  configKeys: (required) => ({ apiKey: credential(required) }),
  secretKeys: ['apiKey'],
  envShortcut: toSingleSourceShortcut({
    kind: 'nirvana',
    credentialKey: 'apiKey',
    credentialVariable: 'NIRVANA_API_KEY',
    baseUrlVariable: 'NIRVANA_BASE_URL',
    defaultBaseUrl: BASE_URL,
  }),
  capabilities: NIRVANA_CAPABILITIES,
  credentialOf: (config) => config.apiKey,
  describe: () => [],
  createSource: createNirvanaSource,
};
