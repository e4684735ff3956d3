import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiErrorItem } from './api';
import { fromLocalInput, lowerCase, toLocalInput } from './format';
import type { Category, Outcome, Source } from './queries';
import { CATEGORIES, OUTCOMES } from './queries';
import type { RangeChoice, ViewState } from './viewState';
import { PRESETS } from './viewState';

/** The form field a filter field's error belongs beside. */
export type FormField = 'range' | 'sources' | 'categories' | 'outcome' | 'actor' | 'ip' | 'text';

const FORM_FIELD_OF: Record<string, FormField> = {
  since: 'range',
  before: 'range',
  sources: 'sources',
  categories: 'categories',
  outcome: 'outcome',
  actorEmails: 'actor',
  ipAddress: 'ip',
  text: 'text',
};

/** The server's errors by the field they concern; those about no field are left out. */
export function errorsByField(
  items: readonly ApiErrorItem[],
): Partial<Record<FormField, ApiErrorItem>> {
  const result: Partial<Record<FormField, ApiErrorItem>> = {};
  for (const item of items) {
    const field = item.field === null ? undefined : FORM_FIELD_OF[item.field];
    if (field !== undefined && result[field] === undefined) result[field] = item;
  }
  return result;
}

export interface FilterBarProps {
  readonly view: ViewState;
  readonly sources: readonly Source[];
  readonly errors: Partial<Record<FormField, ApiErrorItem>>;
  readonly onChange: (view: ViewState) => void;
  /** On a narrow screen the form is folded away until asked for. */
  readonly open: boolean;
}

const RANGE_LABELS: Record<RangeChoice, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
  custom: 'Custom…',
};

/**
 * The filters. Choices (range, sources, categories, outcome) apply as they are made; typed
 * fields apply on Enter or Apply. What the server refuses is shown under its field, with the
 * server's code.
 */
export function FilterBar({ view, sources, errors, onChange, open }: FilterBarProps) {
  const [draft, setDraft] = useState(view);
  useEffect(() => setDraft(view), [view]);
  const apply = (next: ViewState) => {
    setDraft(next);
    onChange(next);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    onChange(draft);
  };
  const allSources = sources.map((source) => source.id);

  return (
    <form
      id="filters"
      class={`filters${open || Object.keys(errors).length > 0 ? ' open' : ''}`}
      onSubmit={submit}
      aria-label="Filters"
    >
      <FieldBox label="Time range" field="range" errors={errors}>
        <select
          id="f-range"
          value={draft.range}
          onChange={(event) => {
            const range = event.currentTarget.value as RangeChoice;
            if (range === 'custom') {
              // Start from the window the preset showed, so the custom one is a small edit.
              const now = Date.now();
              const since =
                draft.range in PRESETS
                  ? new Date(now - PRESETS[draft.range as keyof typeof PRESETS]).toISOString()
                  : null;
              setDraft({ ...draft, range, since, before: null });
            } else {
              apply({ ...draft, range, since: null, before: null });
            }
          }}
        >
          {(Object.keys(RANGE_LABELS) as RangeChoice[]).map((range) => (
            <option key={range} value={range}>
              {RANGE_LABELS[range]}
            </option>
          ))}
        </select>
        {draft.range === 'custom' ? (
          <span class="custom-range">
            <input
              type="datetime-local"
              aria-label="Since (local time)"
              id="f-since"
              value={toLocalInput(draft.since)}
              onInput={(event) =>
                setDraft({
                  ...draft,
                  since: fromLocalInput(event.currentTarget.value),
                })
              }
            />
            <span aria-hidden="true">–</span>
            <input
              type="datetime-local"
              aria-label="Before (local time)"
              id="f-before"
              value={toLocalInput(draft.before)}
              onInput={(event) =>
                setDraft({
                  ...draft,
                  before: fromLocalInput(event.currentTarget.value),
                })
              }
            />
          </span>
        ) : null}
      </FieldBox>
      <FieldBox label="Sources" field="sources" errors={errors}>
        <Choices
          id="f-sources"
          summary={
            draft.sources === null
              ? 'All sources'
              : `${draft.sources.length} of ${allSources.length}`
          }
          options={sources.map((source) => ({ value: source.id, label: source.id }))}
          selected={draft.sources ?? allSources}
          onChange={(selected) =>
            apply({
              ...draft,
              sources: selected.length === allSources.length ? null : selected,
            })
          }
        />
      </FieldBox>
      <FieldBox label="Categories" field="categories" errors={errors}>
        <Choices
          id="f-categories"
          summary={
            draft.categories === null
              ? 'All categories'
              : draft.categories.map(lowerCase).join(', ') || 'None'
          }
          options={CATEGORIES.map((category) => ({ value: category, label: lowerCase(category) }))}
          selected={draft.categories ?? CATEGORIES}
          onChange={(selected) =>
            apply({
              ...draft,
              categories: selected.length === CATEGORIES.length ? null : (selected as Category[]),
            })
          }
        />
      </FieldBox>
      <FieldBox label="Outcome" field="outcome" errors={errors}>
        <select
          id="f-outcome"
          value={draft.outcome ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            apply({ ...draft, outcome: value === '' ? null : (value as Outcome) });
          }}
        >
          <option value="">Any</option>
          {OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {lowerCase(outcome)}
            </option>
          ))}
        </select>
      </FieldBox>
      <TextBox
        label="Actor email"
        field="actor"
        type="email"
        placeholder="someone@example.com"
        value={draft.actorEmail}
        errors={errors}
        onInput={(actorEmail) => setDraft({ ...draft, actorEmail })}
      />
      <TextBox
        label="IP or CIDR"
        field="ip"
        placeholder="203.0.113.0/24"
        value={draft.ip}
        errors={errors}
        onInput={(ip) => setDraft({ ...draft, ip })}
      />
      <TextBox
        label="Text"
        field="text"
        type="search"
        placeholder="action or description"
        value={draft.text}
        errors={errors}
        onInput={(text) => setDraft({ ...draft, text })}
      />
      <div class="filter-actions">
        <button type="submit" class="primary">
          Apply
        </button>
      </div>
    </form>
  );
}

function FieldBox(props: {
  label: string;
  field: FormField;
  errors: Partial<Record<FormField, ApiErrorItem>>;
  children: ComponentChildren;
}) {
  const error = props.errors[props.field];
  return (
    <div class={`filter${error === undefined ? '' : ' invalid'}`} data-field={props.field}>
      <label htmlFor={`f-${props.field}`}>{props.label}</label>
      {props.children}
      {error === undefined ? null : (
        <p class="field-error" role="alert" id={`f-${props.field}-error`} data-code={error.code}>
          <code>{error.code}</code> {error.message}
        </p>
      )}
    </div>
  );
}

function TextBox(props: {
  label: string;
  field: FormField;
  value: string;
  placeholder: string;
  type?: string;
  errors: Partial<Record<FormField, ApiErrorItem>>;
  onInput: (value: string) => void;
}) {
  const invalid = props.errors[props.field] !== undefined;
  return (
    <FieldBox label={props.label} field={props.field} errors={props.errors}>
      <input
        id={`f-${props.field}`}
        // `email` would let the browser refuse what it thinks is no address; the server judges.
        type={props.type === 'email' ? 'text' : (props.type ?? 'text')}
        inputMode={props.type === 'email' ? 'email' : undefined}
        autoComplete="off"
        spellcheck={false}
        placeholder={props.placeholder}
        value={props.value}
        aria-invalid={invalid}
        aria-describedby={invalid ? `f-${props.field}-error` : undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </FieldBox>
  );
}

function Choices(props: {
  id: string;
  summary: string;
  options: readonly { value: string; label: string }[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
}) {
  const selected = new Set(props.selected);
  return (
    <details class="choices">
      <summary id={props.id}>{props.summary}</summary>
      <div class="choice-list">
        {props.options.map((option) => (
          <label key={option.value} class="choice">
            <input
              type="checkbox"
              value={option.value}
              checked={selected.has(option.value)}
              onChange={(event) => {
                const next = new Set(selected);
                if (event.currentTarget.checked) next.add(option.value);
                else next.delete(option.value);
                props.onChange(props.options.map((o) => o.value).filter((v) => next.has(v)));
              }}
            />{' '}
            {option.label}
          </label>
        ))}
      </div>
    </details>
  );
}
