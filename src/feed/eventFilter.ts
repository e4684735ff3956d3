import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { AuditEvent } from '../model/AuditEvent';
import { toProvider } from '../model/AuditEvent';
import { badUserInput } from '../model/errors';
import type { EventFilter } from '../model/EventFilter';

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
  return {
    sinceMs: time('since', input.sinceMs),
    beforeMs: time('before', input.beforeMs),
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

/** Does the event pass every field of the filter (time bounds and sources included)? */
export function createEventMatcher(filter: EventFilter): (event: AuditEvent) => boolean {
  const ipMatches = createIpMatcher(filter.ipAddress);
  const emails = filter.actorEmails;
  const text = filter.text;
  const oneOf = <T>(allowed: readonly T[] | null, value: T | null | undefined) =>
    allowed === null || (value !== null && value !== undefined && allowed.includes(value));
  return (event) =>
    (filter.sinceMs === null || event.occurredAtMs >= filter.sinceMs) &&
    (filter.beforeMs === null || event.occurredAtMs < filter.beforeMs) &&
    oneOf(filter.sourceIds, event.sourceId) &&
    oneOf(filter.providers, toProvider(event.kind)) &&
    oneOf(filter.actions, event.action) &&
    oneOf(filter.categories, event.category) &&
    (filter.outcome === null || event.outcome === filter.outcome) &&
    oneOf(filter.actorIds, event.actor?.id) &&
    (emails === null ||
      (event.actor?.email != null && emails.includes(event.actor.email.toLowerCase()))) &&
    oneOf(filter.actorTypes, event.actor?.type) &&
    oneOf(filter.resourceTypes, event.resource?.type) &&
    oneOf(filter.resourceIds, event.resource?.id) &&
    ipMatches(event) &&
    (text === null ||
      event.action.toLowerCase().includes(text) ||
      (event.description?.toLowerCase().includes(text) ?? false));
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
