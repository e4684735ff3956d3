/** An empty id or text states nothing, like an absent one. */
export function present(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}
