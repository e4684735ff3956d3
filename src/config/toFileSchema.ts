import type { z } from 'zod';
import { strictObject } from './schemas';
import type { SettingDefinition } from './settings';

/** A group of keys: its leaves' schemas and its subgroups, in the order the rows list them. */
type Group = Map<string, z.ZodType | Group>;

/**
 * The config file's schema, built from the settings' rows: one strict object per group of keys
 * (`server`, `auth.jwt`), every key optional, so an unknown key is reported with those allowed
 * beside it. A group in `nullable` may also be null.
 */
export function toFileSchema(
  settings: Readonly<Record<string, SettingDefinition<unknown>>>,
  nullable: readonly string[],
): z.ZodType<Readonly<Record<string, unknown>>> {
  const root: Group = new Map();
  for (const { key, schema } of Object.values(settings)) {
    if (key === null) continue;
    const parts = key.split('.');
    const leaf = parts.pop() ?? key;
    let group = root;
    for (const part of parts) {
      let next = group.get(part);
      if (!(next instanceof Map)) {
        next = new Map();
        group.set(part, next);
      }
      group = next;
    }
    group.set(leaf, schema);
  }
  const toSchema = (group: Group, path: string): z.ZodObject =>
    strictObject(
      Object.fromEntries(
        [...group].map(([part, node]) => {
          const key = path === '' ? part : `${path}.${part}`;
          if (!(node instanceof Map)) return [part, node.optional()];
          const object = toSchema(node, key);
          return [part, nullable.includes(key) ? object.nullable().optional() : object.optional()];
        }),
      ),
    );
  return toSchema(root, '');
}
