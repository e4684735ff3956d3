import type { HttpClient } from '../../http/createHttpClient';
import { AuditgraphError } from '../../model/errors';

export interface CloudflareSourceConfig {
  /** The source's id (AuditSource.id), named in every error. */
  readonly id: string;
  /** An API token with Account Settings Read; sent as `Authorization: Bearer`. */
  readonly token: string;
  /** The account whose audit logs the source reads. */
  readonly accountId: string;
}

export interface CloudflareSourceDeps {
  /** A client on the API's base URL, `…/client/v4`. */
  readonly http: HttpClient;
  readonly now: () => number;
}

/** Checked once, when the source is built: a source without an account cannot make a request. */
export function assertCloudflareSourceConfig(config: CloudflareSourceConfig): void {
  if (config.accountId.trim() === '') {
    throw new AuditgraphError('CONFIG_INVALID', `source ${config.id} needs an accountId`, {
      sourceId: config.id,
    });
  }
}

/** A page-number continuation the source wrote itself; anything else came from a forged cursor. */
export function parsePageContinuation(continuation: string | null, sourceId: string): number {
  if (continuation === null) return 1;
  if (!/^[1-9]\d{0,8}$/.test(continuation)) {
    throw new AuditgraphError('BAD_USER_INPUT', `invalid continuation for source ${sourceId}`, {
      sourceId,
    });
  }
  return Number(continuation);
}

/** `a=1&b=2`, each name and value percent-encoded (so brackets travel as %5B/%5D). */
export function toQueryString(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

/** The feed's page size within the API's bounds. */
export function clampPageSize(pageSize: number, max: number): number {
  if (!Number.isFinite(pageSize)) return max;
  return Math.min(max, Math.max(1, Math.floor(pageSize)));
}
