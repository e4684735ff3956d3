import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { AuditgraphError } from '../model/errors';
import { configError, formatPath, type ConfigProblems, type KeyPath } from './configError';
import { isRecord } from './isRecord';
import { SOURCE_CREDENTIAL_KEYS } from './readSources';
import { SETTINGS, type SettingDefinition } from './settings';
import type { LoadConfigInput } from './types';

/** A config file as read, its `${NAME}`s substituted; not yet checked against the schema. */
export interface ConfigFile {
  readonly path: string;
  readonly value: Readonly<Record<string, unknown>>;
  /** Environment variables the file refers to with `${NAME}`. */
  readonly referencedVariables: ReadonlySet<string>;
  /** Throws the error for one key of the file: `config file c.json: sources[0].token ...`. */
  readonly fail: (keyPath: KeyPath, message: string) => never;
  /** Records the problem of one key of the file, worded as `fail` words it. */
  readonly report: (keyPath: KeyPath, message: string) => void;
  /**
   * Whether a problem was recorded for this key or a key that holds it: a `${NAME}` that is not
   * set leaves its key unusable, and the schema's verdict on it would say the same thing again.
   */
  readonly isReported: (keyPath: KeyPath) => boolean;
}

/**
 * Reads a JSON or YAML config file and substitutes `${NAME}` from the environment. Every value
 * under a credential key is added to `secrets`, for loadConfig to redact.
 */
export function readConfigFile(
  path: string,
  { env, readFile }: Pick<LoadConfigInput, 'env' | 'readFile'>,
  secrets: Set<string>,
  problems: ConfigProblems,
): ConfigFile {
  const toProblem = (keyPath: KeyPath, message: string) =>
    `config file ${path}: ${formatPath(keyPath)} ${message}`;
  const fail: ConfigFile['fail'] = (keyPath, message) => {
    throw configError(toProblem(keyPath, message));
  };
  const reportedPaths: KeyPath[] = [];
  const report: ConfigFile['report'] = (keyPath, message) => {
    reportedPaths.push(keyPath);
    problems.report(toProblem(keyPath, message));
  };
  const isReported: ConfigFile['isReported'] = (keyPath) =>
    reportedPaths.some(
      (reported) =>
        reported.length <= keyPath.length && reported.every((key, index) => keyPath[index] === key),
    );
  const raw = parseText(path, readText(path, readFile));
  if (!isRecord(raw)) {
    throw configError(`config file ${path} must hold an object (with "sources" and other keys)`);
  }
  const referencedVariables = new Set<string>();
  const value = substituteEnv(raw, { env, referenced: referencedVariables, report }, []);
  collectSecrets(value, secrets);
  return {
    path,
    value: isRecord(value) ? value : {},
    referencedVariables,
    fail,
    report,
    isReported,
  };
}

function readText(path: string, readFile: LoadConfigInput['readFile']): string {
  let text: string;
  try {
    text = (readFile ?? ((file: string) => readFileSync(file, 'utf8')))(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : 'read error';
    throw new AuditgraphError('CONFIG_INVALID', `config file ${path} cannot be read (${reason})`, {
      cause: error,
    });
  }
  return text.replace(/^\uFEFF/, '');
}

function parseText(path: string, text: string): unknown {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return parseJson(path, text);
  if (extension === '.yaml' || extension === '.yml') return parseYaml(path, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Any JSON document is YAML too; YAML's errors say where the text went wrong.
    return parseYaml(path, text);
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8 quotes the text around the error in its message, and that text may hold a secret:
    // only the position survives.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const where = position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`;
    throw configError(`config file ${path} is not valid JSON${where}`);
  }
}

function parseYaml(path: string, text: string): unknown {
  const document = parseDocument(text, { prettyErrors: false });
  const problem = document.errors[0];
  if (problem !== undefined) {
    // The error's message quotes the offending line; its code and position are enough.
    throw configError(
      `config file ${path} is not valid YAML (${lineAndColumn(text, problem.pos[0])}: ${problem.code})`,
    );
  }
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch {
    throw configError(`config file ${path} is not valid YAML (too many aliases)`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Remembers every value held under a credential key, wherever it sits in the file. */
function collectSecrets(value: unknown, secrets: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, secrets);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEYS.has(key) && typeof item === 'string') secrets.add(item);
      else collectSecrets(item, secrets);
    }
  }
}

/** The names of the keys that hold credentials (`token`, `cursorSecret`, ...), at any depth. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  ...SOURCE_CREDENTIAL_KEYS,
  ...Object.values<SettingDefinition<unknown>>(SETTINGS).flatMap((setting) =>
    setting.secret === true && setting.key !== null ? [setting.key.split('.').pop() ?? ''] : [],
  ),
]);

interface Substitution {
  readonly env: LoadConfigInput['env'];
  /** Filled with every variable name substituted. */
  readonly referenced: Set<string>;
  /** Records a problem of a value; the value is then left as it was, and its key skipped. */
  readonly report: (path: KeyPath, message: string) => void;
}

/**
 * Replaces `${NAME}` in every string value with the environment variable NAME; `$${` stands for
 * a literal `${`. Keys are left alone. An unset or empty variable is a problem naming both the key
 * and the variable, since a silently empty credential would only fail later, upstream.
 */
function substituteEnv(value: unknown, substitution: Substitution, path: KeyPath): unknown {
  if (typeof value === 'string') return substituteString(value, substitution, path);
  if (Array.isArray(value)) {
    return value.map((item, index) => substituteEnv(item, substitution, [...path, index]));
  }
  if (isRecord(value)) {
    // fromEntries defines each key as its own property: a `__proto__` key from JSON stays a key
    // (and is refused as unknown) instead of silently becoming the object's prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substituteEnv(item, substitution, [...path, key]),
      ]),
    );
  }
  return value;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function substituteString(
  text: string,
  { env, referenced, report }: Substitution,
  path: KeyPath,
): string {
  const problem = (message: string): string => {
    report(path, message);
    return text;
  };
  let result = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      result += text.slice(index);
      break;
    }
    result += text.slice(index, dollar);
    if (text.startsWith('$${', dollar)) {
      result += '${';
      index = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      result += '$';
      index = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      return problem('has a "${" without its closing "}" (write "$${" for a literal "${")');
    }
    const name = text.slice(dollar + 2, close);
    if (!ENV_NAME.test(name)) {
      return problem('has a "${...}" that is not a variable name (write "$${" for a literal "${")');
    }
    const substituted = env[name];
    if (substituted === undefined) {
      return problem(`refers to environment variable ${name}, which is not set`);
    }
    if (substituted === '')
      return problem(`refers to environment variable ${name}, which is empty`);
    referenced.add(name);
    result += substituted;
    index = close + 1;
  }
  return result;
}
