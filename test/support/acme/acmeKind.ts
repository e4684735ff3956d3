import { z } from 'zod';
import type { AuditEvent, SourceRef } from '../../../src/model/AuditEvent';
import type { Source } from '../../../src/model/Source';
import { nativeIdSchema } from '../../../src/providers/shared/nativeIdSchema';
import type { KindCapabilities } from '../../../src/providers/shared/pushdown';
import { oneValue, planPushdown } from '../../../src/providers/shared/pushdown';
import { parseSourcePayload } from '../../../src/providers/shared/parseSourcePayload';
import { toRequestOptions } from '../../../src/providers/shared/toRequestOptions';
import { toSingleParam, toPushdownParams } from '../../../src/providers/shared/toPushdownParams';
import { toSingleCredentialKind } from '../../../src/providers/shared/toSingleCredentialKind';
import type {
  SourceConfigBase,
  SourceKindDefinition,
} from '../../../src/providers/SourceKindDefinition';

/**
 * A throwaway kind that exists only in the tests, to show what adding a kind takes: this one
 * folder (its definition, wire shape, mapping and source together, as a kind's folder under
 * src/providers/ holds them in files of their own) and one line in a list of kinds. Its API:
 * `GET /logs?since=&before=&order=&offset=&limit=[&action=]`, with `x-acme-key`, answering
 * `{ "logs": [{ "id", "at" (epoch ms), "action", "who" }], "more": boolean }`.
 */
export interface AcmeKindConfig extends SourceConfigBase {
  readonly kind: 'acme';
  readonly apiKey: string;
}

const logSchema = z.looseObject({
  id: nativeIdSchema,
  at: z.number().int().nonnegative(),
  action: z.string().min(1),
  who: z.string().nullish(),
});
const pageSchema = z.looseObject({ logs: z.array(logSchema), more: z.boolean() });

const CAPABILITIES: KindCapabilities = {
  actions: {
    level: 'pushed',
    upstream: 'action',
    when: (filter) => oneValue(filter.actions),
    condition: 'one value',
  },
};

const MAX_PAGE_SIZE = 50;

function toAcmeAuditEvent(log: z.infer<typeof logSchema>, source: SourceRef): AuditEvent {
  const who = log.who ?? null;
  return {
    sourceId: source.id,
    kind: source.kind,
    provider: 'NIRVANA',
    nativeId: log.id,
    occurredAtMs: log.at,
    action: log.action,
    category: 'OTHER',
    outcome: 'UNKNOWN',
    description: null,
    actor:
      who === null
        ? null
        : { id: who, type: 'USER', name: null, email: null, token: null, ip: null },
    resource: null,
    request: null,
    changes: null,
    metadata: null,
    raw: { ...log, who },
  };
}

export const ACME_KIND: SourceKindDefinition<AcmeKindConfig> = {
  ...toSingleCredentialKind({
    kind: 'acme',
    // A kind of a provider auditgraph knows: a new provider is a value of the SDL's enum too.
    provider: 'NIRVANA',
    baseUrl: 'https://acme.invalid',
    rateLimit: { capacity: 100, refillPerSecond: 100 },
    credentialKey: 'apiKey',
    variablePrefix: 'ACME',
  }),
  capabilities: CAPABILITIES,
  createSource(config, deps): Source {
    const ref: SourceRef = { id: config.id, kind: 'acme' };
    const headers = { 'x-acme-key': config.apiKey };
    return {
      id: config.id,
      kind: 'acme',
      provider: 'NIRVANA',
      maxPageSize: MAX_PAGE_SIZE,
      windowSlackMs: 0,
      planPushdown: (filter) => planPushdown(CAPABILITIES, filter),
      async list(query, continuation, options) {
        const offset = continuation === null ? 0 : Number(continuation);
        const pushed = toPushdownParams(CAPABILITIES, query.filter, {
          actions: (filter) => toSingleParam('action', filter.actions),
        });
        if (pushed === null) return { events: [], next: null, total: 0 };
        const params = new URLSearchParams({
          since: String(query.sinceMs),
          before: String(query.beforeMs),
          order: query.order,
          offset: String(offset),
          limit: String(Math.min(query.pageSize, MAX_PAGE_SIZE)),
        });
        for (const [name, value] of pushed) params.set(name, value);
        const response = await deps.http.requestJson(
          `/logs?${params.toString()}`,
          toRequestOptions(headers, options),
        );
        const page = parseSourcePayload(pageSchema, response.body, config.id, 'sent a bad page');
        const events = page.logs.map((log) => toAcmeAuditEvent(log, ref));
        return { events, next: page.more ? String(offset + events.length) : null, total: null };
      },
      get: () => Promise.resolve(null),
    };
  },
};
