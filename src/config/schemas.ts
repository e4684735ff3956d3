import { z } from 'zod';
import { isLoopbackHost } from './isLoopbackHost';
import { JWT_ALGORITHMS } from './types';

/** The longest drain a config may ask for: five minutes, past any load balancer's probe period. */
export const MAX_DRAIN_SECONDS = 300;

/** The largest `maxFirst` a config may ask for: one page must stay cheap to merge and to send. */
export const MAX_FIRST_LIMIT = 1000;

/** The longest hold-back or late-arrival delay a config may name: one day. */
export const MAX_DELAY_SECONDS = 86_400;

/** The largest cache a config may ask for: 16 GiB. */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024 * 1024;

/** Cursors are signed with HMAC-SHA256; a shorter key would be the weak link. */
export const MIN_CURSOR_SECRET_LENGTH = 32;

/** An HS256 secret shorter than this can be guessed offline from one token. */
export const MIN_JWT_SECRET_LENGTH = 32;

/** The longest a cursor may stay good: 30 days. */
export const MAX_CURSOR_TTL_SECONDS = 30 * 86_400;

/** The largest request body a config may allow: 16 MiB. */
export const MAX_BODY_BYTES_LIMIT = 16 * 1024 * 1024;

// Schemas. Messages complete a sentence that starts with the key path.

/** Numbers may come from `${VAR}` or the environment as text: whole-number strings count. */
export function integer(min: number, max: number): z.ZodType<number> {
  const message = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z
      .number({ error: message })
      .int({ error: message })
      .min(min, { error: message })
      .max(max, { error: message }),
  );
}

export function text(required: string): z.ZodString {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? required
          : 'must be a string (quote it in YAML if it looks like a number)',
    })
    .min(1, { error: 'must not be empty' });
}

/** Credentials travel in HTTP headers: printable ASCII without spaces, nothing to inject. */
export function credential(required: string): z.ZodType<string> {
  return text(required).regex(/^[\x21-\x7e]+$/, {
    error: 'must be printable ASCII without spaces or control characters',
  });
}

export function baseUrl(required: string): z.ZodType<string> {
  return text(required)
    .superRefine((value, context) => {
      const problem = urlProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => value.replace(/\/+$/, ''));
}

export function urlProblem(value: string): string | null {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return 'must be an http(s) URL';
  }
  // The base URL is printed in the start-up banner and in logs; credentials have their own keys.
  if (url.username !== '' || url.password !== '') {
    return 'must not contain a user name or password (use the credential keys)';
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?')) {
    return 'must not contain a query string or fragment';
  }
  return null;
}

export const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export const idSchema = text('is required').regex(ID, {
  error: 'must be 1 to 63 letters, digits, "-" or "_", starting with a letter or digit',
});

export const hostSchema = text('is required').regex(/^\S+$/, {
  error: 'must be a host name or an IP address',
});
export const portSchema = integer(0, 65535);
export const drainSecondsSchema = integer(0, MAX_DRAIN_SECONDS);
export const firstSchema = integer(1, MAX_FIRST_LIMIT);
export const seedSchema = integer(0, 0xffffffff);
export const holdBackSchema = integer(0, MAX_DELAY_SECONDS);
export const lateArrivalSchema = integer(0, MAX_DELAY_SECONDS);
export const scanBudgetSchema = integer(1, 1000);
export const deadlineSchema = integer(100, 120_000);
export const cacheBytesSchema = integer(0, MAX_CACHE_BYTES);
export const freshnessSchema = integer(0, MAX_DELAY_SECONDS);
export const cursorSecretSchema = text('is required')
  .min(MIN_CURSOR_SECRET_LENGTH, {
    error: `must be at least ${MIN_CURSOR_SECRET_LENGTH} characters (it signs cursors)`,
  })
  .regex(/^[^\x00-\x1f\x7f]+$/, { error: 'must not contain control characters' });

/** A switch; `true` and `false` may come as text, from `${VAR}` or the environment. */
export const booleanSchema: z.ZodType<boolean> = z.preprocess(
  (value) =>
    typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)
      ? value.trim().toLowerCase() === 'true'
      : value,
  z.boolean({ error: 'must be true or false' }),
);

export const sha256Schema = text('is required')
  .regex(/^[0-9a-f]{64}$/i, {
    error: 'must be 64 hexadecimal digits, the SHA-256 of the key (npm run auth:hash-key)',
  })
  .transform((value) => value.toLowerCase());

export const keySourcesSchema = z
  .array(
    text('is required').refine((value) => value === '*' || ID.test(value), {
      error: 'must be a source id, or "*" for every source',
    }),
    {
      error: (issue) =>
        issue.input === undefined
          ? 'is required (["*"] for every source)'
          : 'must be a list of source ids, or ["*"]',
    },
  )
  .min(1, { error: 'must not be empty (["*"] for every source)' });

export const permissionsSchema = z.array(
  z.literal('pii', { error: 'must be "pii" (the only permission there is)' }),
  { error: 'must be a list' },
);

/** Claim values are compared as text, and the claim names are looked up as keys. */
export const claimValueSchema = text('is required').regex(/^[^\x00-\x1f\x7f]+$/, {
  error: 'must not contain control characters',
});
export const claimNameSchema = text('is required').regex(/^[\x21-\x7e]{1,200}$/, {
  error: 'must be a claim name: printable ASCII without spaces',
});

export const jwksUrlSchema = text('is required').superRefine((value, context) => {
  const url = URL.canParse(value) ? new URL(value) : null;
  let problem: string | null = null;
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    problem = 'must be an https URL';
  } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    // Whoever can change the keys in transit can sign any token.
    problem = 'must be an https URL (plain http only on a loopback host)';
  } else if (url.username !== '' || url.password !== '') {
    problem = 'must not contain a user name or password';
  }
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});

export const jwtSecretSchema = text('is required')
  .min(MIN_JWT_SECRET_LENGTH, {
    error: `must be at least ${MIN_JWT_SECRET_LENGTH} characters (it verifies HMAC signatures)`,
  })
  .regex(/^[^\x00-\x1f\x7f]+$/, { error: 'must not contain control characters' });

export const algorithmSchema = z.enum(JWT_ALGORITHMS, {
  error: `must be one of ${JWT_ALGORITHMS.join(', ')} (never none)`,
});

/** A strict object whose unknown keys are reported with the keys that are allowed there. */
export function strictObject<T extends z.ZodRawShape>(
  shape: T,
  context = '',
): z.ZodObject<T, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a known key${context} (allowed: ${allowed})`
        : 'must be an object',
  });
}

/** One client's key, by its hash: the key itself never sits in a config file. */
export const apiKeySchema = strictObject(
  {
    id: idSchema,
    sha256: sha256Schema,
    sources: keySourcesSchema,
    permissions: permissionsSchema.optional(),
  },
  ' for an API key',
);

export const fileSchema = strictObject({
  sources: z.array(z.unknown(), { error: 'must be a list' }).optional(),
  server: strictObject({
    host: hostSchema.optional(),
    port: portSchema.optional(),
    drainSeconds: drainSecondsSchema.optional(),
  }).optional(),
  pagination: strictObject({
    defaultFirst: firstSchema.optional(),
    maxFirst: firstSchema.optional(),
  }).optional(),
  cursorSecret: cursorSecretSchema.optional(),
  demo: strictObject({ seed: seedSchema.optional() }).optional(),
  feed: strictObject({
    holdBackSeconds: holdBackSchema.optional(),
    scanBudgetPages: scanBudgetSchema.optional(),
    requestDeadlineMs: deadlineSchema.optional(),
  }).optional(),
  cache: strictObject({
    maxBytes: cacheBytesSchema.optional(),
    freshnessSeconds: freshnessSchema.optional(),
  }).optional(),
  auth: strictObject({
    apiKeys: z.array(apiKeySchema, { error: 'must be a list' }).optional(),
    jwt: strictObject({
      jwksUrl: jwksUrlSchema.optional(),
      publicKey: text('is required').optional(),
      secret: jwtSecretSchema.optional(),
      issuer: claimValueSchema.optional(),
      audience: claimValueSchema.optional(),
      algorithms: z
        .array(algorithmSchema, { error: 'must be a list' })
        .min(1, { error: 'must not be empty' })
        .optional(),
      sourcesClaim: claimNameSchema.optional(),
      permissionsClaim: claimNameSchema.optional(),
      clockToleranceSeconds: integer(0, 300).optional(),
    })
      .nullable()
      .optional(),
    allowUnauthenticated: booleanSchema.optional(),
  }).optional(),
  security: strictObject({
    introspection: booleanSchema.optional(),
    graphiql: booleanSchema.optional(),
    cursorTtlSeconds: integer(60, MAX_CURSOR_TTL_SECONDS).optional(),
    maxBodyBytes: integer(1024, MAX_BODY_BYTES_LIMIT).optional(),
    limits: strictObject({
      maxDepth: integer(1, 100).optional(),
      maxAliases: integer(1, 1000).optional(),
      maxTokens: integer(10, 1_000_000).optional(),
      maxCost: integer(1, 100_000_000).optional(),
      maxDirectives: integer(0, 100_000).optional(),
    }).optional(),
  }).optional(),
  audit: strictObject({ enabled: booleanSchema.optional() }).optional(),
});

export type FileAuth = NonNullable<z.infer<typeof fileSchema>['auth']>;
export type FileApiKey = z.infer<typeof apiKeySchema>;
export type FileJwt = NonNullable<FileAuth['jwt']>;
export type FileSecurity = NonNullable<z.infer<typeof fileSchema>['security']>;
export type FileAudit = NonNullable<z.infer<typeof fileSchema>['audit']>;
