/** `a=1&b=2`, each name and value percent-encoded (so brackets travel as %5B/%5D). */
export function toQueryString(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}
