/** The numbers a numeric option accepts, and how an error names them. */
export interface OptionRange {
  /** Whole numbers only; otherwise any finite number. */
  readonly integer: boolean;
  readonly min: number;
  /** Whether `min` itself is refused (a share must be above 0). */
  readonly minExclusive?: boolean;
  readonly max?: number;
  /** What the error says the option must be: "a positive integer". */
  readonly expected: string;
}

export const NON_NEGATIVE_INTEGER: OptionRange = {
  integer: true,
  min: 0,
  expected: 'a non-negative integer',
};

export const POSITIVE_INTEGER: OptionRange = {
  integer: true,
  min: 1,
  expected: 'a positive integer',
};

export const PERCENTAGE: OptionRange = {
  integer: false,
  min: 0,
  minExclusive: true,
  max: 100,
  expected: 'a number above 0 and at most 100',
};

export function atLeast(min: number): OptionRange {
  return { integer: false, min, expected: `a finite number of at least ${min}` };
}

/**
 * Options are checked once, at construction, so a typo fails at start-up, not mid-request (the
 * way dataloader checks its own). Returns every option of `ranges`, or its default when unset;
 * the options are checked in the order `ranges` lists them, so the first bad one is reported.
 * `owner` (the factory's name) begins every message.
 */
export function assertOptions<K extends string>(
  owner: string,
  options: { readonly [name in NoInfer<K>]?: number },
  defaults: { readonly [name in NoInfer<K>]: number },
  ranges: { readonly [name in K]: OptionRange },
): { readonly [name in K]: number } {
  const checked = {} as { [name in K]: number };
  for (const name of Object.keys(ranges) as K[]) {
    const value = options[name];
    if (value !== undefined && !isInRange(value, ranges[name])) {
      throw new TypeError(`${owner}: ${name} must be ${ranges[name].expected}, got ${value}`);
    }
    checked[name] = value ?? defaults[name];
  }
  return checked;
}

function isInRange(value: number, range: OptionRange): boolean {
  if (range.integer ? !Number.isInteger(value) : !Number.isFinite(value)) return false;
  if (range.minExclusive === true ? value <= range.min : value < range.min) return false;
  return range.max === undefined || value <= range.max;
}
