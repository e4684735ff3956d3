import type { Category, Outcome } from './queries';
import { CATEGORIES, OUTCOMES } from './queries';

/** The time ranges offered as presets, newest part of the feed first. */
export const PRESETS = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;
export type Preset = keyof typeof PRESETS;
export type RangeChoice = Preset | 'all' | 'custom';

/**
 * What the user is looking at: everything that decides the rows, kept in the URL's query string
 * so that a copied link opens the same view. Text fields hold what was typed; the server judges
 * them, and its refusal is shown beside the field.
 */
export interface ViewState {
  readonly range: RangeChoice;
  /** ISO instants, for `custom`. */
  readonly since: string | null;
  readonly before: string | null;
  /** Null: every source. */
  readonly sources: readonly string[] | null;
  readonly categories: readonly Category[] | null;
  readonly outcome: Outcome | null;
  readonly actorEmail: string;
  readonly ip: string;
  readonly text: string;
}

export const DEFAULT_VIEW: ViewState = {
  range: '7d',
  since: null,
  before: null,
  sources: null,
  categories: null,
  outcome: null,
  actorEmail: '',
  ip: '',
  text: '',
};

function list(value: string | null): string[] | null {
  if (value === null) return null;
  return value === '' ? [] : value.split(',');
}

export function readView(search: string): ViewState {
  const params = new URLSearchParams(search);
  const range = params.get('range');
  const outcome = params.get('outcome');
  const categories = list(params.get('categories'));
  return {
    range:
      range === 'all' || range === 'custom' || (range !== null && range in PRESETS)
        ? (range as RangeChoice)
        : DEFAULT_VIEW.range,
    since: params.get('since'),
    before: params.get('before'),
    sources: list(params.get('sources')),
    categories:
      categories?.filter((c): c is Category => (CATEGORIES as readonly string[]).includes(c)) ??
      null,
    outcome: (OUTCOMES as readonly string[]).includes(outcome ?? '') ? (outcome as Outcome) : null,
    actorEmail: params.get('actor') ?? '',
    ip: params.get('ip') ?? '',
    text: params.get('q') ?? '',
  };
}

export function writeView(view: ViewState): string {
  const params = new URLSearchParams();
  if (view.range !== DEFAULT_VIEW.range) params.set('range', view.range);
  if (view.range === 'custom') {
    if (view.since !== null) params.set('since', view.since);
    if (view.before !== null) params.set('before', view.before);
  }
  if (view.sources !== null) params.set('sources', view.sources.join(','));
  if (view.categories !== null) params.set('categories', view.categories.join(','));
  if (view.outcome !== null) params.set('outcome', view.outcome);
  if (view.actorEmail !== '') params.set('actor', view.actorEmail);
  if (view.ip !== '') params.set('ip', view.ip);
  if (view.text !== '') params.set('q', view.text);
  const search = params.toString();
  return search === '' ? '' : `?${search}`;
}

/** The window the view covers at `now`: [since, before), either end open (null). */
export function windowOf(
  view: ViewState,
  now: number,
): { since: number | null; before: number | null } {
  if (view.range === 'all') return { since: null, before: null };
  if (view.range === 'custom') {
    const since = view.since === null ? NaN : Date.parse(view.since);
    const before = view.before === null ? NaN : Date.parse(view.before);
    return {
      since: Number.isNaN(since) ? null : since,
      before: Number.isNaN(before) ? null : before,
    };
  }
  return { since: now - PRESETS[view.range], before: null };
}

/**
 * The view as an `AuditEventFilter`. A custom bound the browser could not read is sent as typed,
 * so the server's BAD_USER_INPUT names it beside its field.
 */
export function toFilter(view: ViewState, now: number): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  const window = windowOf(view, now);
  if (view.range === 'custom') {
    if (view.since !== null) filter.since = window.since === null ? view.since : iso(window.since);
    if (view.before !== null)
      filter.before = window.before === null ? view.before : iso(window.before);
  } else if (window.since !== null) {
    filter.since = iso(window.since);
  }
  if (view.sources !== null) filter.sources = view.sources;
  if (view.categories !== null) filter.categories = view.categories;
  if (view.outcome !== null) filter.outcome = view.outcome;
  if (view.actorEmail.trim() !== '') filter.actorEmails = [view.actorEmail.trim()];
  if (view.ip.trim() !== '') filter.ipAddress = view.ip.trim();
  if (view.text.trim() !== '') filter.text = view.text.trim();
  return filter;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
