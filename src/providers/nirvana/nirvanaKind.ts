import { toSingleCredentialKind } from '../shared/toSingleCredentialKind';
import type { SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';
import type { NirvanaSourceConfig } from './createNirvanaSource';
import { createNirvanaSource } from './createNirvanaSource';
import { NIRVANA_CAPABILITIES } from './nirvanaPushdown';

export interface NirvanaKindConfig extends SourceConfigBase, NirvanaSourceConfig {
  readonly kind: 'nirvana';
}

/** Nirvana Labs' audit logs (`GET /v1/audit_logs`): providers.md §5. */
export const NIRVANA_KIND: SourceKindDefinition<NirvanaKindConfig> = {
  ...toSingleCredentialKind({
    kind: 'nirvana',
    provider: 'NIRVANA',
    baseUrl: 'https://api.nirvanalabs.io',
    credentialKey: 'apiKey',
    variablePrefix: 'NIRVANA',
  }),
  capabilities: NIRVANA_CAPABILITIES,
  createSource: createNirvanaSource,
};
