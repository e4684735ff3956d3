import type { AuditEvent, Provider } from './queries';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `2026-03-02 10:14:27` in the browser's time zone: sortable, and the same width on every row. */
export function localTime(isoTime: string): string {
  const date = new Date(isoTime);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The same instant in UTC, for the hover: `2026-03-02 09:14:27.000 UTC`. */
export function utcTime(isoTime: string): string {
  return `${isoTime.replace('T', ' ').replace('Z', '')} UTC`;
}

/** The value for `<input type="datetime-local">`, in the browser's zone. */
export function toLocalInput(isoTime: string | null): string {
  if (isoTime === null) return '';
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const PROVIDER_NAMES: Record<Provider, string> = {
  FASTLY: 'Fastly',
  CLOUDFLARE: 'Cloudflare',
  FUSIONAUTH: 'FusionAuth',
  NIRVANA: 'Nirvana',
};

/**
 * Who acted, as briefly as the event allows: email, else name, else id; `[redacted]` (the API's
 * own word for it) when the email is all there was and this key may not read it.
 */
export function actorText(event: AuditEvent): string {
  const actor = event.actor;
  if (actor === null) return '';
  const shown = actor.email ?? actor.name ?? actor.id;
  if (shown !== null) return shown;
  if (event.redacted.includes('actor.email')) return '[redacted]';
  return actor.type === null ? '' : lowerCase(actor.type);
}

/** What was acted on: `type name` or `type id`. */
export function resourceText(event: AuditEvent): string {
  const resource = event.resource;
  if (resource === null) return '';
  const what = resource.name ?? resource.id ?? '';
  return [resource.type, what].filter((part) => part !== null && part !== '').join(' ');
}

export function lowerCase(value: string): string {
  return value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ');
}
