import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { PROVIDER_NAMES, localTime, lowerCase, utcTime } from './format';
import type { AuditEvent } from './queries';

export interface EventPanelProps {
  readonly event: AuditEvent;
  /** Move focus into the panel when it opens (Enter on a row), not when a click selects. */
  readonly focus: boolean;
  readonly onClose: () => void;
}

/**
 * Everything the event holds: each field of the model, then metadata, the changes and the
 * provider's own record as JSON. Escape closes it and gives focus back to the list.
 */
export function EventPanel({ event, focus, onClose }: EventPanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [event.id, focus]);
  const redacted = new Set(event.redacted);
  const show = (path: string, value: string | number | null | undefined) =>
    value === null || value === undefined ? (
      redacted.has(path) ? (
        <em class="redacted">redacted</em>
      ) : (
        <span class="absent">—</span>
      )
    ) : (
      String(value)
    );

  return (
    <aside
      class="panel"
      aria-label="Event details"
      data-panel-event-id={event.id}
      onKeyDown={(keyEvent: KeyboardEvent) => {
        if (keyEvent.key === 'Escape') {
          keyEvent.preventDefault();
          onClose();
        }
      }}
    >
      <header class="panel-head">
        <h2 ref={heading} tabIndex={-1}>
          {event.action}
        </h2>
        <button type="button" class="close" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </header>
      {/* Focusable, so the arrow keys scroll a long record without a mouse. */}
      <div class="panel-body" tabIndex={0} aria-label="Event fields">
        <Section title="Event">
          <Field name="Time (local)">{localTime(event.occurredAt)}</Field>
          <Field name="Time (UTC)">{utcTime(event.occurredAt)}</Field>
          <Field name="Provider">{PROVIDER_NAMES[event.provider]}</Field>
          <Field name="Source">
            {event.source.id} ({event.source.kind.toLowerCase().replace(/_/g, '-')})
          </Field>
          <Field name="Category">{lowerCase(event.category)}</Field>
          <Field name="Outcome">{lowerCase(event.outcome)}</Field>
          <Field name="Description">{show('description', event.description)}</Field>
        </Section>
        <Section title="Actor">
          {event.actor === null ? (
            <p class="absent">The provider names no actor.</p>
          ) : (
            <>
              <Field name="Type">{show('actor.type', event.actor.type)}</Field>
              <Field name="Name">{show('actor.name', event.actor.name)}</Field>
              <Field name="Email">{show('actor.email', event.actor.email)}</Field>
              <Field name="Id">{show('actor.id', event.actor.id)}</Field>
              <Field name="IP address">{show('actor.ip', event.actor.ip)}</Field>
              <Field name="Token">
                {event.actor.token === null
                  ? show('actor.token', null)
                  : [event.actor.token.name, event.actor.token.id].filter(Boolean).join(' · ')}
              </Field>
            </>
          )}
        </Section>
        <Section title="Resource">
          {event.resource === null ? (
            <p class="absent">The provider names no resource.</p>
          ) : (
            <>
              <Field name="Type">{show('resource.type', event.resource.type)}</Field>
              <Field name="Name">{show('resource.name', event.resource.name)}</Field>
              <Field name="Id">{show('resource.id', event.resource.id)}</Field>
              <Field name="Product">{show('resource.product', event.resource.product)}</Field>
            </>
          )}
        </Section>
        {event.request === null ? null : (
          <Section title="Request">
            <Field name="IP address">{show('request.ip', event.request.ip)}</Field>
            <Field name="Method">{show('request.method', event.request.method)}</Field>
            <Field name="Path">{show('request.path', event.request.path)}</Field>
            <Field name="Status">{show('request.statusCode', event.request.statusCode)}</Field>
            <Field name="User agent">{show('request.userAgent', event.request.userAgent)}</Field>
            <Field name="Ray id">{show('request.rayId', event.request.rayId)}</Field>
          </Section>
        )}
        <Section title="Ids">
          <Field name="auditgraph id">
            <code>{event.id}</code>
          </Field>
          <Field name="Provider id">
            <code>{event.nativeId}</code>
          </Field>
          {event.actor === null ? null : (
            <Field name="Actor key">
              <code>{event.actor.key}</code>
            </Field>
          )}
          {event.resource === null ? null : (
            <Field name="Resource key">
              <code>{event.resource.key}</code>
            </Field>
          )}
        </Section>
        {event.redacted.length > 0 ? (
          <Section title="Redacted for this key">
            <p class="redacted-list" data-redacted-fields={event.redacted.join(',')}>
              {event.redacted.join(', ')}
            </p>
          </Section>
        ) : null}
        <Json title="Metadata" value={event.metadata} redacted={redacted.has('metadata')} />
        <Json title="Changes" value={event.changes} redacted={redacted.has('changes')} />
        <Json title="Provider record (raw)" value={event.raw} redacted={redacted.has('raw')} />
      </div>
    </aside>
  );
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h3>{title}</h3>
      <dl>{children}</dl>
    </section>
  );
}

function Field({ name, children }: { name: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Json({ title, value, redacted }: { title: string; value: unknown; redacted: boolean }) {
  if (value === null || value === undefined) {
    return redacted ? (
      <section>
        <h3>{title}</h3>
        <p>
          <em class="redacted">redacted</em>
        </p>
      </section>
    ) : null;
  }
  return (
    <section>
      <h3>{title}</h3>
      <pre class="json">{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}
