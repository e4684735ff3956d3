import type { z } from 'zod';
import { AuditgraphError } from '../model/errors';

/** Where a value sits in the config file: `['sources', 2, 'accountId']`. */
export type KeyPath = readonly (string | number)[];

/** Every problem with the config is one CONFIG_INVALID error, its message naming the key. */
export function configError(message: string): AuditgraphError {
  return new AuditgraphError('CONFIG_INVALID', message);
}

/**
 * The issue to report. An unknown key comes first: a misspelt `tokn` also makes `token` missing,
 * and the misspelling is the thing to fix.
 */
export function firstIssue(error: z.ZodError): {
  readonly path: KeyPath;
  readonly message: string;
} {
  const issues = [...error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const issue = issues[0];
  if (issue === undefined) return { path: [], message: 'is invalid' };
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return { path: [...path, issue.keys[0] ?? ''], message: issue.message };
  }
  return { path, message: issue.message };
}

/** `['sources', 2, 'accountId']` → `sources[2].accountId`; a key that is no identifier is quoted. */
export function formatPath(path: KeyPath): string {
  let result = '';
  for (const key of path) {
    if (typeof key === 'number') result += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) result += result === '' ? key : `.${key}`;
    else result += `[${JSON.stringify(key)}]`;
  }
  return result === '' ? 'the top level' : result;
}
