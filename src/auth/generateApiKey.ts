import { randomBytes } from 'node:crypto';

/** Marks auditgraph keys, so secret scanners and people recognise one that leaked. */
export const API_KEY_PREFIX = 'agk_';

/** A new API key: the prefix and 32 random bytes in base64url (43 characters). */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}
