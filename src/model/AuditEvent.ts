/**
 * The normalized audit event: what every provider has, in one shape, with the provider's own
 * record beside it (design.md §2). A value the provider does not state is null, never invented.
 */

/**
 * The name of a source kind (`fastly`, `cloudflare-v2`, …), as its definition names it
 * (src/providers/sourceKinds.ts lists them); everything else about a kind lives there.
 */
/**
 * The name of a source kind (`fastly`, `cloudflare-v2`, …), as its definition names it
 * (src/providers/sourceKinds.ts lists them); everything else about a kind lives there.
 */
export type SourceKind = string;

/** The providers auditgraph reads (the GraphQL enum AuditProvider). */
export const PROVIDERS = ['FASTLY', 'CLOUDFLARE', 'FUSIONAUTH', 'NIRVANA'] as const;

export type Provider = (typeof PROVIDERS)[number];

export type AuditCategory = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE' | 'AUTH' | 'OTHER';
export type AuditOutcome = 'SUCCESS' | 'FAILURE' | 'UNKNOWN';

/**
 * Who acted. USER: a person's account. API_KEY: a key not tied to a person (Nirvana `api_key`).
 * ACCOUNT: the account itself (Cloudflare v2 `account`). SYSTEM: the provider's automation
 * (Cloudflare `system`, v1 `Cloudflare`). PROVIDER_ADMIN: the provider's staff acting on the
 * account (Cloudflare v1 `admin`, v2 `cloudflare_admin`).
 */
export type ActorType = 'USER' | 'API_KEY' | 'ACCOUNT' | 'SYSTEM' | 'PROVIDER_ADMIN';

export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export interface AccessToken {
  readonly id: string | null;
  readonly name: string | null;
}

export interface Actor {
  readonly id: string | null;
  readonly type: ActorType | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly token: AccessToken | null;
  readonly ip: string | null;
}

export interface Resource {
  readonly id: string | null;
  readonly type: string | null;
  readonly name: string | null;
  readonly product: string | null;
}

export interface RequestInfo {
  readonly ip: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly statusCode: number | null;
  readonly userAgent: string | null;
  readonly rayId: string | null;
}

export interface Changes {
  readonly before: Json;
  readonly after: Json;
}

export interface AuditEvent {
  /** The configured source this event came from (AuditSource.id). */
  readonly sourceId: string;
  readonly kind: SourceKind;
  readonly provider: Provider;
  /** The provider's own id of the record, as a string (FusionAuth's numeric ids included). */
  readonly nativeId: string;
  /** Milliseconds since the epoch, UTC; second-precision upstream values are `.000`. */
  readonly occurredAtMs: number;
  readonly action: string;
  readonly category: AuditCategory;
  readonly outcome: AuditOutcome;
  readonly description: string | null;
  readonly actor: Actor | null;
  readonly resource: Resource | null;
  readonly request: RequestInfo | null;
  readonly changes: Changes | null;
  readonly metadata: Json;
  /** The provider's record, verbatim as it arrived. */
  readonly raw: Json;
}

/** What a pure mapping needs to know of the source it maps for. */
export interface SourceRef {
  readonly id: string;
  readonly kind: SourceKind;
}
