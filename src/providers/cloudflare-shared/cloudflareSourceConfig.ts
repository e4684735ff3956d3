import { AuditgraphError } from '../../model/errors';
import type { SourceFactoryDeps } from '../SourceKindDefinition';

export interface CloudflareSourceConfig {
  /** The source's id (AuditSource.id), named in every error. */
  readonly id: string;
  /** An API token with Account Settings Read; sent as `Authorization: Bearer`. */
  readonly token: string;
  /** The account whose audit logs the source reads. */
  readonly accountId: string;
}

/** What the source is built with: its HTTP client, on the API's base URL, and the clock. */
export type CloudflareSourceDeps = SourceFactoryDeps;

/** Checked once, when the source is built: a source without an account cannot make a request. */
export function assertCloudflareSourceConfig(config: CloudflareSourceConfig): void {
  if (config.accountId.trim() === '') {
    throw new AuditgraphError('CONFIG_INVALID', `source ${config.id} needs an accountId`, {
      sourceId: config.id,
    });
  }
}
