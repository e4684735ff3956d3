import type { z } from 'zod';
import type { HttpClient } from '../http/createHttpClient';
import type { RateLimit } from '../http/createTokenBucket';
import type { Provider, SourceKind } from '../model/AuditEvent';
import type { Source } from '../model/Source';
import type { KindCapabilities } from './shared/pushdown';

/** What the config of every source holds, whatever its kind. */
export interface SourceConfigBase {
  readonly id: string;
  readonly kind: SourceKind;
  /** Without a trailing slash; the provider's public API when the config does not name one. */
  readonly baseUrl: string;
  /**
   * How late the source's API usually shows an event, in seconds; reported per page as the
   * source's `completeUntil`. Default: its kind's `lateArrivalSeconds`.
   */
  readonly lateArrivalSeconds?: number;
  /**
   * The client-side limit of the source's credential, replacing its kind's `rateLimit` (and a
   * per-kind override given at start). Sources that share a credential share one bucket: its
   * limit is the smallest burst and the smallest rate among those of them that set one.
   */
  readonly rateLimit?: SourceRateLimit;
}

/** A rate limit as a config file writes it: a burst, then a steady rate per second. */
export interface SourceRateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** What a source is built with: its HTTP client (on its base URL) and the clock. */
export interface SourceFactoryDeps {
  readonly http: HttpClient;
  readonly now: () => number;
}

/** One environment variable of a shortcut, as the README's table shows it. */
export interface EnvVariable {
  readonly name: string;
  readonly description: string;
  readonly default: string | null;
  /** Its value is a credential: never printed, redacted from every message. */
  readonly secret?: boolean;
}

/** A source the environment configures: its raw config and the variable behind each key. */
export interface EnvSource {
  readonly raw: Readonly<Record<string, string | undefined>>;
  /** Which variable each key came from, so a message names the variable. */
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * Sources from environment variables alone, without a config file (design.md §7): one shortcut
 * per provider, which may add sources of several kinds (Cloudflare v1 or v2; both FusionAuth
 * logs).
 */
export interface EnvShortcut {
  /** Variables that must all be set together; setting any of the optional ones alone is a mistake. */
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly variables: readonly EnvVariable[];
  /**
   * The variable that sets the rate limit of the sources it adds (`burst=40,perSecond=20`); the
   * config reader reads it and lists it after `variables`.
   */
  readonly rateLimitVariable: string;
  /** The sources, from the variables; throws a message (a plain Error) for a bad value. */
  build(read: (name: string) => string | undefined): readonly EnvSource[];
}

/**
 * Everything auditgraph knows of one kind of source, in one value: each folder under
 * src/providers/ exports one, and `sourceKinds.ts` lists them. The config reader, the sources,
 * the feed (through `Source`), the docs and the demo all take their facts about a kind from here.
 *
 * `C` is the kind's config: the common keys and its own, as `configKeys` checks them.
 */
export interface SourceKindDefinition<C extends SourceConfigBase = SourceConfigBase> {
  readonly kind: C['kind'];
  readonly provider: Provider;
  /** The provider's public API root; null when the provider is self-hosted (a URL is required). */
  readonly defaultBaseUrl: string | null;
  /** How late its API usually shows an event, unless a source's config says otherwise. */
  readonly lateArrivalSeconds: number;
  /** The client-side limit per credential: a burst, then a steady rate. */
  readonly rateLimit: RateLimit;
  /**
   * The limit the provider documents for reading its audit log, in its own words (for the docs
   * beside `rateLimit`); null when it documents none.
   */
  readonly documentedRateLimit: string | null;
  /**
   * Sources of kinds of one family that share a credential share one rate limit: the upstream
   * counts the credential's calls (Cloudflare: the user's, whichever log version), not ours.
   */
  readonly credentialFamily: string;
  /**
   * The kind's own keys of a source in the config file, beside `id`, `kind`, `baseUrl` and
   * `lateArrivalSeconds`; `required` is the message of a missing key. A key of another kind is
   * unknown here, so a credential of the wrong kind is reported.
   */
  configKeys(required: string): z.ZodRawShape;
  /** The keys of `configKeys` that hold credentials: never printed, redacted from messages. */
  readonly secretKeys: readonly string[];
  /** Its environment shortcut, when it has one (a provider's shortcut sits on one of its kinds). */
  readonly envShortcut: EnvShortcut | null;
  /** Its pushdown table (design.md §5): which filter fields its API applies, and when. */
  readonly capabilities: KindCapabilities;
  /** The credential its requests carry, for the one-way key of its rate limit and page cache. */
  credentialOf(config: C): string;
  /** What the start-up banner says of a source beside its id, kind and URL (never a secret). */
  describe(config: C): readonly string[];
  /** One source, talking to the API through `deps.http`. */
  createSource(config: C, deps: SourceFactoryDeps): Source;
}
