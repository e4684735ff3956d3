import type { CloudflareKindConfig } from '../cloudflare-shared/cloudflareKind';
import { CLOUDFLARE_KIND_COMMON } from '../cloudflare-shared/cloudflareKind';
import type { SourceKindDefinition } from '../SourceKindDefinition';
import { CLOUDFLARE_V1_CAPABILITIES } from './cloudflareV1Pushdown';
import { createCloudflareV1Source } from './createCloudflareV1Source';

/** Cloudflare's account audit logs v1 (`GET /accounts/{id}/audit_logs`): providers.md §2. */
export const CLOUDFLARE_V1_KIND: SourceKindDefinition<CloudflareKindConfig<'cloudflare-v1'>> = {
  ...CLOUDFLARE_KIND_COMMON,
  kind: 'cloudflare-v1',
  lateArrivalSeconds: 0,
  // The Cloudflare shortcut sits on v2, the version it reads unless told otherwise.
  envShortcut: null,
  capabilities: CLOUDFLARE_V1_CAPABILITIES,
  createSource: createCloudflareV1Source,
};
