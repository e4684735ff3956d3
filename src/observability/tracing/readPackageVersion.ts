import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * auditgraph's version from its package.json, found from this file upward, so that it reads the
 * same from src/ and from dist/; `0.0.0` should the file be missing or unreadable.
 */
export function readPackageVersion(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (!existsSync(candidate)) continue;
    try {
      const parsed: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
      if (isPackage(parsed) && parsed.name === 'auditgraph') return parsed.version;
    } catch {
      return '0.0.0';
    }
  }
  return '0.0.0';
}

function isPackage(value: unknown): value is { name: string; version: string } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.name === 'string' && typeof record.version === 'string';
}
