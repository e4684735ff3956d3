import type { AuditCategory } from '../../model/AuditEvent';

const AUTH_WORDS: ReadonlySet<string> = new Set(['login', 'logout', 'mfa', '2fa', 'tfa', 'sso']);

/** By the leading verb of an action type (`change_setting` → `change`, `rotate_API_key`). */
const CATEGORY_BY_VERB: Readonly<Record<string, AuditCategory>> = {
  add: 'CREATE',
  create: 'CREATE',
  change: 'UPDATE',
  update: 'UPDATE',
  edit: 'UPDATE',
  set: 'UPDATE',
  modify: 'UPDATE',
  rotate: 'UPDATE',
  roll: 'UPDATE',
  enable: 'UPDATE',
  disable: 'UPDATE',
  delete: 'DELETE',
  remove: 'DELETE',
  revoke: 'DELETE',
  view: 'READ',
  read: 'READ',
  get: 'READ',
  list: 'READ',
  export: 'READ',
};

/**
 * The category of a Cloudflare action type: v1's open vocabulary (`add`, `change_setting`,
 * `delete`, `login`, `rotate_API_key`…) and v2's `create|update|delete|view` (plus `login`).
 */
export function toCloudflareCategory(actionType: string): AuditCategory {
  const lower = actionType.toLowerCase();
  const words = lower.split(/[^a-z0-9]+/).filter((word) => word !== '');
  if (lower.includes('two_factor') || words.some((word) => AUTH_WORDS.has(word))) return 'AUTH';
  const verb = words[0];
  return verb !== undefined && Object.hasOwn(CATEGORY_BY_VERB, verb)
    ? (CATEGORY_BY_VERB[verb] as AuditCategory)
    : 'OTHER';
}
