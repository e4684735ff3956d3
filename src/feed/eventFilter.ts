import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { AuditEvent } from '../model/AuditEvent';
import { AuditgraphError, badUserInput } from '../model/errors';
import type { EventFilter } from '../model/EventFilter';
import type { Principal } from '../model/Principal';
import { hasPersonalData, redactPersonalText } from './redactPersonalText';

export type { EventFilter } from '../model/EventFilter';

export type EventFilterInput = { readonly [K in keyof EventFilter]?: EventFilter[K] | undefined };

export const EMPTY_FILTER: EventFilter = {
  sinceMs: null,
  beforeMs: null,
  sourceIds: null,
  providers: null,
  actions: null,
  categories: null,
  outcome: null,
  actorIds: null,
  actorEmails: null,
  actorTypes: null,
  resourceTypes: null,
  resourceIds: null,
  ipAddress: null,
  text: null,
};

/** Longest string any filter value may be: longer ones are refused, never sent upstream. */
const MAX_VALUE_LENGTH = 512;
const MAX_LIST_LENGTH = 100;

export function normalizeFilter(input: EventFilterInput = {}): EventFilter {
  const list = <T extends string>(
    name: string,
    values: readonly T[] | null | undefined,
    map: (v: T) => T = (v) => v,
  ) => {
    if (values === null || values === undefined) return null;
    if (values.length > MAX_LIST_LENGTH)
      throw badUserInput(`filter.${name} may hold at most ${MAX_LIST_LENGTH} values`);
    for (const value of values) assertValue(name, value);
    return [...new Set(values.map(map))].sort();
  };
  const time = (name: string, value: number | null | undefined) => {
    if (value === null || value === undefined) return null;
    if (!Number.isFinite(value)) throw badUserInput(`filter.${name} is not a valid date-time`);
    return Math.floor(value);
  };
  const text = input.text ?? null;
  if (text !== null) assertValue('text', text);
  const sinceMs = time('since', input.sinceMs);
  const beforeMs = time('before', input.beforeMs);
  // An inverted window is a client's mistake (bounds swapped), not a question with no answer.
  if (sinceMs !== null && beforeMs !== null && sinceMs > beforeMs) {
    throw badUserInput(
      `filter.since (${new Date(sinceMs).toISOString()}) is later than filter.before (${new Date(beforeMs).toISOString()}); since is inclusive, before exclusive`,
    );
  }
  return {
    sinceMs,
    beforeMs,
    sourceIds: list('sources', input.sourceIds),
    providers: list('providers', input.providers),
    actions: list('actions', input.actions),
    categories: list('categories', input.categories),
    outcome: input.outcome ?? null,
    actorIds: list('actorIds', input.actorIds),
    actorEmails: list('actorEmails', input.actorEmails, (v) => v.toLowerCase()),
    actorTypes: list('actorTypes', input.actorTypes),
    resourceTypes: list('resourceTypes', input.resourceTypes),
    resourceIds: list('resourceIds', input.resourceIds),
    ipAddress: normalizeIpFilter(input.ipAddress ?? null),
    text: text === null ? null : text.toLowerCase(),
  };
}

function assertValue(name: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH) {
    throw badUserInput(`filter.${name} values may be at most ${MAX_VALUE_LENGTH} characters long`);
  }
}

function normalizeIpFilter(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  const [address = '', prefix, extra] = trimmed.split('/');
  const family = isIP(address);
  const maxPrefix = family === 4 ? 32 : 128;
  const prefixValid =
    prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
  if (family === 0 || extra !== undefined || !prefixValid) {
    throw badUserInput(
      'filter.ipAddress must be an IPv4 or IPv6 address or a CIDR range such as 203.0.113.0/24',
    );
  }
  return prefix === undefined
    ? address.toLowerCase()
    : `${address.toLowerCase()}/${Number(prefix)}`;
}

/** A short, stable digest of the filter, to bind cursors to it. */
export function hashFilter(filter: EventFilter): string {
  const canonical = JSON.stringify(
    Object.keys(filter)
      .sort()
      .map((key) => [key, filter[key as keyof EventFilter]]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** The fields of a filter that hold strings a client typed, by their GraphQL names. */
const STRING_FIELDS = [
  ['actions', 'actions'],
  ['actorIds', 'actorIds'],
  ['resourceTypes', 'resourceTypes'],
  ['resourceIds', 'resourceIds'],
  ['sourceIds', 'sources'],
] as const;

/**
 * Refuses, with FORBIDDEN, the filters that would let a client without the pii permission probe
 * personal data it may not see: which events have a given email or IP address, in any field.
 * `actorEmails` and `ipAddress` are always that; any other field is when one of its values holds
 * an `@`, an email or an IP address (some providers use the email as an actor id, others put one
 * in a resource id). `text` without one is allowed: for such a client it is matched against the
 * event as that client sees it, redacted (see createEventMatcher).
 */
export function assertFilterPermitted(filter: EventFilter, principal: Principal): void {
  if (principal.pii) return;
  const forbidden = (field: string) =>
    new AuditgraphError(
      'FORBIDDEN',
      `filter.${field} matches personal data, which this client may not read`,
    );
  if (filter.actorEmails !== null) throw forbidden('actorEmails');
  if (filter.ipAddress !== null) throw forbidden('ipAddress');
  for (const [field, name] of STRING_FIELDS) {
    if (filter[field]?.some(hasPersonalData) === true) {
      throw forbidden(`${name} (a value with an email or IP address)`);
    }
  }
  if (filter.text !== null && hasPersonalData(filter.text)) {
    throw forbidden('text (a value with an email or IP address)');
  }
}

export interface EventMatcherOptions {
  /**
   * Match `text` against the description with email and IP addresses redacted, as a client
   * without the pii permission sees it, so that the filter tells it nothing it may not read.
   */
  readonly redactedText?: boolean;
}

/** Does the event pass every field of the filter (time bounds and sources included)? */
export function createEventMatcher(
  filter: EventFilter,
  options: EventMatcherOptions = {},
): (event: AuditEvent) => boolean {
  const ipMatches = createIpMatcher(filter.ipAddress);
  const emails = filter.actorEmails;
  const text = filter.text;
  const description = options.redactedText
    ? (event: AuditEvent) =>
        event.description === null ? null : redactPersonalText(event.description)
    : (event: AuditEvent) => event.description;
  const action = options.redactedText
    ? (event: AuditEvent) => redactPersonalText(event.action)
    : (event: AuditEvent) => event.action;
  // Only the fields the filter sets are read: an event read lazily (lazyAuditEvent.ts) is then
  // built only when a residual field must be checked on it.
  const checks: ((event: AuditEvent) => boolean)[] = [];
  const oneOf = <T>(
    allowed: readonly T[] | null,
    read: (event: AuditEvent) => T | null | undefined,
  ) => {
    if (allowed === null) return;
    checks.push((event) => {
      const value = read(event);
      return value !== null && value !== undefined && allowed.includes(value);
    });
  };
  const { sinceMs, beforeMs, outcome } = filter;
  if (sinceMs !== null) checks.push((event) => event.occurredAtMs >= sinceMs);
  if (beforeMs !== null) checks.push((event) => event.occurredAtMs < beforeMs);
  oneOf(filter.sourceIds, (event) => event.sourceId);
  oneOf(filter.providers, (event) => event.provider);
  oneOf(filter.actions, (event) => event.action);
  oneOf(filter.categories, (event) => event.category);
  if (outcome !== null) checks.push((event) => event.outcome === outcome);
  oneOf(filter.actorIds, (event) => event.actor?.id);
  if (emails !== null) {
    checks.push(
      (event) => event.actor?.email != null && emails.includes(event.actor.email.toLowerCase()),
    );
  }
  oneOf(filter.actorTypes, (event) => event.actor?.type);
  oneOf(filter.resourceTypes, (event) => event.resource?.type);
  oneOf(filter.resourceIds, (event) => event.resource?.id);
  if (filter.ipAddress !== null) checks.push(ipMatches);
  if (text !== null) {
    checks.push(
      (event) =>
        action(event).toLowerCase().includes(text) ||
        (description(event)?.toLowerCase().includes(text) ?? false),
    );
  }
  return (event) => {
    for (const check of checks) if (!check(event)) return false;
    return true;
  };
}

function createIpMatcher(range: string | null): (event: AuditEvent) => boolean {
  if (range === null) return () => true;
  const blockList = new BlockList();
  const [address = '', prefix] = range.split('/');
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (prefix === undefined) blockList.addAddress(address, type);
  else blockList.addSubnet(address, Number(prefix), type);
  return (event) =>
    [event.actor?.ip, event.request?.ip].some((value) =>
      // Fastly sends a comma-separated list of addresses in one field.
      (value ?? '').split(',').some((candidate) => {
        const ip = candidate.trim();
        const family = isIP(ip);
        return family !== 0 && blockList.check(ip, family === 6 ? 'ipv6' : 'ipv4');
      }),
    );
}
