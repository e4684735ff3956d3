import { createHash } from 'node:crypto';

/**
 * The SHA-256 of an API key, as 64 lowercase hex digits: what the config stores instead of the
 * key. A plain hash suffices because keys are 256 random bits (generateApiKey), not passwords.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
