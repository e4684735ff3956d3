/** The feed's page size within the API's bounds (a size it cannot read asks for the most). */
export function clampPageSize(pageSize: number, max: number, min = 1): number {
  if (!Number.isFinite(pageSize)) return max;
  return Math.min(max, Math.max(min, Math.floor(pageSize)));
}
