/** An integer written in plain decimal digits within [min, max]; null otherwise. */
export function parseIntegerParam(text: string, min: number, max: number): number | null {
  if (!/^-?\d{1,15}$/.test(text.trim())) return null;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : null;
}
