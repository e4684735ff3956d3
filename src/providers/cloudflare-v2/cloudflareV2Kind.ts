import type { CloudflareKindConfig } from '../cloudflare-shared/cloudflareKind';
import {
  CLOUDFLARE_ENV_SHORTCUT,
  CLOUDFLARE_KIND_COMMON,
} from '../cloudflare-shared/cloudflareKind';
import type { SourceKindDefinition } from '../SourceKindDefinition';
import { CLOUDFLARE_V2_CAPABILITIES } from './cloudflareV2Pushdown';
import { createCloudflareV2Source } from './createCloudflareV2Source';

/** Cloudflare's account audit logs v2 (`GET /accounts/{id}/logs/audit`): providers.md §3. */
export const CLOUDFLARE_V2_KIND: SourceKindDefinition<CloudflareKindConfig<'cloudflare-v2'>> = {
  ...CLOUDFLARE_KIND_COMMON,
  kind: 'cloudflare-v2',
  // Cloudflare's audit logs v2 show events minutes after they happen.
  lateArrivalSeconds: 300,
  envShortcut: CLOUDFLARE_ENV_SHORTCUT,
  capabilities: CLOUDFLARE_V2_CAPABILITIES,
  createSource: createCloudflareV2Source,
};
