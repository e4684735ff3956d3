/** A request target split at its `?`: the path routes, the search goes to GraphQL as it came. */
export function splitUrl(url: string | undefined): { path: string; search: string } {
  const raw = url ?? '/';
  const mark = raw.indexOf('?');
  return mark === -1
    ? { path: raw, search: '' }
    : { path: raw.slice(0, mark), search: raw.slice(mark) };
}
