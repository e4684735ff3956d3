import type { AuditCategory } from '../../model/AuditEvent';

/**
 * Past-tense verbs every provider that names its actions by a verb uses alike; each kind adds
 * the words of its own vocabulary to these.
 */
export const COMMON_VERB_CATEGORIES: Readonly<Record<string, AuditCategory>> = {
  created: 'CREATE',
  added: 'CREATE',
  generated: 'CREATE',
  imported: 'CREATE',
  updated: 'UPDATE',
  changed: 'UPDATE',
  modified: 'UPDATE',
  renamed: 'UPDATE',
  rotated: 'UPDATE',
  enabled: 'UPDATE',
  disabled: 'UPDATE',
  deleted: 'DELETE',
  removed: 'DELETE',
  revoked: 'DELETE',
  viewed: 'READ',
  retrieved: 'READ',
  exported: 'READ',
};

/** The category of a lower-cased verb by a kind's table; OTHER for a word it does not know. */
export function toCategoryOfVerb(
  table: Readonly<Record<string, AuditCategory>>,
  verb: string,
): AuditCategory {
  return Object.hasOwn(table, verb) ? (table[verb] as AuditCategory) : 'OTHER';
}
