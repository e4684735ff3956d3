import { z } from 'zod';
import { requiredText as text } from '../providers/shared/configSchemas';
import { isLoopbackHost } from './isLoopbackHost';
import { JWT_ALGORITHMS } from './types';

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

/** A number above 0 and at most `max`; like integer(), it may come as text. */
export function positiveNumber(max: number): z.ZodType<number> {
  const message = `must be a number above 0 and at most ${max}`;
  return z.preprocess(
    (value) =>
      typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value,
    z.number({ error: message }).gt(0, { error: message }).max(max, { error: message }),
  );
}

/** A non-empty string, and a credential: the same schemas the kinds' own keys use. */
export { credential, requiredText as text } from '../providers/shared/configSchemas';

/** One of a closed list of words, given as they are (the environment's values too). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

export function baseUrl(required: string): z.ZodType<string> {
  return text(required)
    .superRefine((value, context) => {
      const problem = urlProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => value.replace(/\/+$/, ''));
}

/**
 * An http(s) URL that may carry a path (an OTLP collector's), never a user name, password or
 * query string: it is printed by check-config and the start-up banner, so credentials go in
 * their own settings.
 */
export const endpointUrlSchema: z.ZodType<string> = text('is required').superRefine(
  (value, context) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    let problem: string | null = null;
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problem = 'must be an http(s) URL';
    } else if (url.username !== '' || url.password !== '') {
      problem = 'must not contain a user name or password (use OTEL_EXPORTER_OTLP_HEADERS)';
    } else if (url.search !== '' || url.hash !== '' || value.includes('?')) {
      problem = 'must not contain a query string or fragment (use OTEL_EXPORTER_OTLP_HEADERS)';
    }
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  },
);

/**
 * `name=value` pairs separated by commas, as the OpenTelemetry SDK reads its headers variables
 * (it drops a malformed pair with a diagnostic nobody sees, so a typo would silently send no
 * credential).
 */
export const otlpHeadersSchema: z.ZodType<string> = text('is required').regex(
  /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^,]*(,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^,]*)*$/,
  { error: 'must be name=value pairs separated by commas' },
);

/** A bearer token a client sends (RFC 6750 §2.1 b64token), long enough not to be guessed. */
export function bearerTokenSchema(minLength: number, purpose: string): z.ZodType<string> {
  return secretText(minLength, purpose).regex(/^[A-Za-z0-9\-._~+/]+=*$/, {
    error: 'must be letters, digits and -._~+/ (a bearer token), optionally ending in =',
  });
}

function urlProblem(value: string): string | null {
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

// Spelled out rather than with the i flag: the JSON Schema of the config file repeats the pattern.
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export const idSchema = text('is required').regex(ID, {
  error: 'must be 1 to 63 letters, digits, "-" or "_", starting with a letter or digit',
});

const NO_CONTROL_CHARACTERS = /^[^\x00-\x1f\x7f]+$/;

/** Text compared or printed as it is: nothing that could break a header or a log line. */
export const plainTextSchema = text('is required').regex(NO_CONTROL_CHARACTERS, {
  error: 'must not contain control characters',
});

/** A secret key: long enough not to be the weak link of what it protects. */
export function secretText(minLength: number, purpose: string): z.ZodString {
  return text('is required')
    .min(minLength, { error: `must be at least ${minLength} characters (${purpose})` })
    .regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' });
}

/** A switch; `true` and `false` may come as text, from `${VAR}` or the environment. */
export const booleanSchema: z.ZodType<boolean> = z.preprocess(
  (value) =>
    typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)
      ? value.trim().toLowerCase() === 'true'
      : value,
  z.boolean({ error: 'must be true or false' }),
);

const sha256Schema = text('is required')
  .regex(/^[0-9a-fA-F]{64}$/, {
    error: 'must be 64 hexadecimal digits, the SHA-256 of the key (npm run auth:hash-key)',
  })
  .transform((value) => value.toLowerCase());

const keySourcesSchema = z
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

const permissionsSchema = z.array(
  z.literal('pii', { error: 'must be "pii" (the only permission there is)' }),
  { error: 'must be a list' },
);

/** Claim names are looked up as keys in the token's payload. */
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

/**
 * Where the replicas' shared state lives: `redis://` or `rediss://` (TLS), with a user name and
 * password in the URL when the server asks for them (the whole URL is then a secret).
 */
export const redisUrlSchema = text('is required').superRefine((value, context) => {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    context.addIssue({ code: 'custom', message: 'must be a redis:// or rediss:// URL' });
  } else if (url.hostname === '') {
    context.addIssue({ code: 'custom', message: 'must name a host' });
  }
});

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

export type FileApiKey = z.infer<typeof apiKeySchema>;
