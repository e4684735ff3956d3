import type { z } from 'zod';
import { AuditgraphError } from '../model/errors';

/** Where a value sits in the config file: `['sources', 2, 'accountId']`. */
export type KeyPath = readonly (string | number)[];

/** One problem with the config that stops the rest of it from being read. */
export function configError(message: string): AuditgraphError {
  return new AuditgraphError('CONFIG_INVALID', message, { problems: [message] });
}

/**
 * The one CONFIG_INVALID error for every problem found: its message is the problem itself when
 * there is one, else a list; `details.problems` holds them one by one.
 */
export function configErrorOf(problems: readonly string[]): AuditgraphError {
  const message =
    problems.length === 1
      ? (problems[0] ?? '')
      : `${problems.length} problems with the configuration:\n${problems.map((problem) => `- ${problem}`).join('\n')}`;
  return new AuditgraphError('CONFIG_INVALID', message, { problems });
}

/**
 * The problems found so far. The config is read to the end, each part with what it can still
 * use, so that one run (check-config, or a refused start) names every problem, not the first.
 */
export interface ConfigProblems {
  /** Records a problem (once, however often it is found). */
  report(message: string): void;
  /** Runs `read`; a CONFIG_INVALID it throws is recorded and `fallback` returned instead. */
  attempt<T>(read: () => T, fallback: T): T;
  /** How many problems are recorded: a part of the config can tell whether it found any. */
  readonly count: number;
  readonly list: readonly string[];
}

export function createConfigProblems(): ConfigProblems {
  const list: string[] = [];
  const report = (message: string): void => {
    if (!list.includes(message)) list.push(message);
  };
  return {
    report,
    attempt: (read, fallback) => {
      try {
        return read();
      } catch (error) {
        if (!(error instanceof AuditgraphError) || error.code !== 'CONFIG_INVALID') throw error;
        for (const problem of error.details.problems ?? [error.message]) report(problem);
        return fallback;
      }
    },
    get count() {
      return list.length;
    },
    list,
  };
}

/** One issue of a parse, its path without symbols. */
export interface Issue {
  readonly path: KeyPath;
  readonly message: string;
}

/**
 * Every issue of a parse, one per unknown key. Unknown keys come first: a misspelt `tokn` also
 * makes `token` missing, and the misspelling is the thing to fix.
 */
export function allIssues(error: z.ZodError): Issue[] {
  const issues = [...error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  return issues.flatMap((issue) => {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: issue.message }));
    }
    return [{ path, message: issue.message }];
  });
}

/** The issue to report when only one is: the first of allIssues. */
export function firstIssue(error: z.ZodError): Issue {
  return allIssues(error)[0] ?? { path: [], message: 'is invalid' };
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
