import { LATEST_ISO_SECOND_MS, toIsoSeconds } from '../shared/toIsoSeconds';

/**
 * How far outside a query's bounds Cloudflare may answer: the window goes down widened to whole
 * seconds, a second more below, and either edge may be inclusive of a time with a fraction.
 */
export const CLOUDFLARE_WINDOW_SLACK_MS = 2000;

/** Cloudflare keeps audit logs (v1 and v2) for 18 months; older `since` values reach nothing. */
const RETENTION_MONTHS = 18;
/** Stays clear of the edge, should our clock run ahead of Cloudflare's. */
const RETENTION_MARGIN_MS = 5 * 60_000;

/** The oldest instant Cloudflare still holds logs for, as seen at `nowMs`. */
export function cloudflareRetentionStartMs(nowMs: number): number {
  const start = new Date(nowMs);
  start.setUTCMonth(start.getUTCMonth() - RETENTION_MONTHS);
  return start.getTime() + RETENTION_MARGIN_MS;
}

export interface CloudflareTimeWindow {
  readonly since: string;
  readonly before: string;
}

/**
 * `since`/`before` values that lose nothing of [sinceMs, beforeMs): whether Cloudflare's bounds
 * are inclusive or exclusive is unconfirmed, and the time of a record may carry a fraction, so
 * the window is widened to whole seconds, with one more second below (`since` may mean "newer
 * than"). The feed re-checks both bounds. `notBeforeMs` (the retention start) caps the widening;
 * null when nothing of the window can exist.
 */
export function toCloudflareTimeWindow(
  sinceMs: number,
  beforeMs: number,
  notBeforeMs = 0,
): CloudflareTimeWindow | null {
  const floor = Math.max(0, Math.ceil(notBeforeMs / 1000) * 1000);
  const since = Math.max(floor, Math.floor(sinceMs / 1000) * 1000 - 1000);
  const before = Math.min(LATEST_ISO_SECOND_MS, Math.ceil(beforeMs / 1000) * 1000);
  if (beforeMs <= sinceMs || before <= floor || since >= LATEST_ISO_SECOND_MS) return null;
  return { since: toIsoSeconds(since), before: toIsoSeconds(before) };
}
