import type { RateLimit } from '../http/createTokenBucket';
import type { SourceKind } from '../model/AuditEvent';
import { CLOUDFLARE_V1_KIND } from './cloudflare-v1/cloudflareV1Kind';
import { CLOUDFLARE_V2_KIND } from './cloudflare-v2/cloudflareV2Kind';
import { FASTLY_KIND } from './fastly/fastlyKind';
import type { FastlyKindConfig } from './fastly/fastlyKind';
import { FUSIONAUTH_AUDIT_LOG_KIND } from './fusionauth-audit-log/fusionAuthAuditLogKind';
import { FUSIONAUTH_EVENT_LOG_KIND } from './fusionauth-event-log/fusionAuthEventLogKind';
import type { CloudflareKindConfig } from './cloudflare-shared/cloudflareKind';
import type { FusionAuthKindConfig } from './fusionauth-shared/fusionAuthKind';
import { NIRVANA_KIND } from './nirvana/nirvanaKind';
import type { NirvanaKindConfig } from './nirvana/nirvanaKind';
import type { SourceKindDefinition } from './SourceKindDefinition';

/**
 * The kinds auditgraph reads, in the order it lists them. Adding a kind is one folder under
 * src/providers/ exporting its definition, and one line here (and, for clients to see it by
 * name, its value in the SDL's `SourceKind` enum, the public contract).
 */
export const SOURCE_KINDS: readonly SourceKindDefinition[] = [
  FASTLY_KIND,
  CLOUDFLARE_V1_KIND,
  CLOUDFLARE_V2_KIND,
  FUSIONAUTH_EVENT_LOG_KIND,
  FUSIONAUTH_AUDIT_LOG_KIND,
  NIRVANA_KIND,
];

/** The names of the built-in kinds, in the same order. */
export const SOURCE_KIND_NAMES: readonly SourceKind[] = SOURCE_KINDS.map(
  (definition) => definition.kind,
);

/** The config of a source of one of the built-in kinds: a union keyed on `kind`. */
export type SourceConfig =
  | FastlyKindConfig
  | CloudflareKindConfig<'cloudflare-v1'>
  | CloudflareKindConfig<'cloudflare-v2'>
  | FusionAuthKindConfig<'fusionauth-event-log'>
  | FusionAuthKindConfig<'fusionauth-audit-log'>
  | NirvanaKindConfig;

/** A set of kinds to read with: the built-in ones, or those plus a test's own. */
export interface SourceKinds {
  readonly all: readonly SourceKindDefinition[];
  /** The definition of a kind by name; undefined for a kind not in the set. */
  find(kind: SourceKind): SourceKindDefinition | undefined;
  /** The definition of a kind by name; throws for a kind not in the set (a bug, not input). */
  get(kind: SourceKind): SourceKindDefinition;
}

export function createSourceKinds(definitions: readonly SourceKindDefinition[]): SourceKinds {
  const byName = new Map<SourceKind, SourceKindDefinition>();
  for (const definition of definitions) {
    if (byName.has(definition.kind)) {
      throw new Error(`source kind ${definition.kind} is defined twice`);
    }
    byName.set(definition.kind, definition);
  }
  return {
    all: definitions,
    find: (kind) => byName.get(kind),
    get: (kind) => {
      const definition = byName.get(kind);
      if (definition === undefined) throw new Error(`unknown source kind ${kind}`);
      return definition;
    },
  };
}

export const BUILT_IN_KINDS: SourceKinds = createSourceKinds(SOURCE_KINDS);

/**
 * The limit for sources auditgraph's own emulators serve (the demo, tests): they are not the
 * provider, so its limit does not apply; high enough that only a runaway loop meets it. Applied
 * only where the caller says so (`createSources` rateLimits), never guessed from an address: a
 * proxy on localhost in front of the real provider must keep the provider's limit.
 */
export const EMULATOR_RATE_LIMIT: RateLimit = { capacity: 1_000, refillPerSecond: 1_000 };

/** EMULATOR_RATE_LIMIT for every built-in kind, as `createSources` takes it. */
export const EMULATOR_RATE_LIMITS: Readonly<Partial<Record<SourceKind, RateLimit>>> =
  Object.fromEntries(SOURCE_KINDS.map((definition) => [definition.kind, EMULATOR_RATE_LIMIT]));
