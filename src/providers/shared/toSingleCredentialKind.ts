import type { RateLimit } from '../../http/createTokenBucket';
import type { Provider } from '../../model/AuditEvent';
import type { EnvShortcut, SourceConfigBase, SourceKindDefinition } from '../SourceKindDefinition';
import { credential } from './configSchemas';

export interface SingleCredentialKind<K extends string, Key extends string> {
  /** The kind, which is also the id of the source its shortcut adds. */
  readonly kind: K;
  readonly provider: Provider;
  /** The provider's public API root. */
  readonly baseUrl: string;
  /** Default: a generous limit, for a provider that documents none. */
  readonly rateLimit?: RateLimit;
  /** What the provider documents as its read limit; default: none (null). */
  readonly documentedRateLimit?: string | null;
  /** The config key of the credential: `token` or `apiKey`. */
  readonly credentialKey: Key;
  /**
   * What the shortcut's variables start with: `<PREFIX>_API_TOKEN` (or `_API_KEY`, after the
   * credential key) adds the source, `<PREFIX>_BASE_URL` overrides its URL and
   * `<PREFIX>_RATE_LIMIT` its rate limit.
   */
  readonly variablePrefix: string;
}

/**
 * Fastly does not limit reads, Nirvana documents no limit: a limit of our choice, generous
 * enough for any dashboard, only there to keep a runaway loop from hammering an upstream.
 */
const UNDOCUMENTED_LIMIT: RateLimit = { capacity: 40, refillPerSecond: 20 };

/**
 * What a definition of a provider's only kind is, when its sources need one credential and
 * nothing else: its config keys, its rate-limit family (the kind itself), and a shortcut by
 * which one variable adds a source named after the kind.
 */
export function toSingleCredentialKind<
  K extends string,
  Key extends string,
  C extends SourceConfigBase & { readonly kind: K } & Readonly<Record<Key, string>>,
>(
  kind: SingleCredentialKind<K, Key>,
): Omit<SourceKindDefinition<C>, 'capabilities' | 'createSource'> {
  const { credentialKey } = kind;
  const credentialVariable = `${kind.variablePrefix}_API_${credentialKey === 'token' ? 'TOKEN' : 'KEY'}`;
  const baseUrlVariable = `${kind.variablePrefix}_BASE_URL`;
  const envShortcut: EnvShortcut = {
    required: [credentialVariable],
    optional: [baseUrlVariable],
    variables: [
      {
        name: credentialVariable,
        description: `Adds source \`${kind.kind}\` (kind ${kind.kind})`,
        default: null,
        secret: true,
      },
      { name: baseUrlVariable, description: 'Base URL of that source', default: kind.baseUrl },
    ],
    rateLimitVariable: `${kind.variablePrefix}_RATE_LIMIT`,
    build: (read) => [
      {
        raw: {
          id: kind.kind,
          kind: kind.kind,
          [credentialKey]: read(credentialVariable),
          baseUrl: read(baseUrlVariable),
        },
        variables: { [credentialKey]: credentialVariable, baseUrl: baseUrlVariable },
      },
    ],
  };
  return {
    // C's kind is K: C is the config of this kind.
    kind: kind.kind as C['kind'],
    provider: kind.provider,
    defaultBaseUrl: kind.baseUrl,
    lateArrivalSeconds: 0,
    rateLimit: kind.rateLimit ?? UNDOCUMENTED_LIMIT,
    documentedRateLimit: kind.documentedRateLimit ?? null,
    credentialFamily: kind.kind,
    configKeys: (required) => ({
      [credentialKey]: credential(required).describe(
        `The API ${credentialKey === 'token' ? 'token' : 'key'} the source reads with`,
      ),
    }),
    secretKeys: [credentialKey],
    envShortcut,
    credentialOf: (config) => config[credentialKey],
    describe: () => [],
  };
}
