import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { Kind } from 'graphql';

/**
 * Whether the field being resolved selects a subfield of this name, directly or through
 * fragments: for work worth doing only when asked (a connection's `totalCount`).
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name;
        case Kind.INLINE_FRAGMENT:
          return visit(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragmentName = selection.name.value;
          if (seen.has(fragmentName)) return false;
          seen.add(fragmentName);
          return visit(info.fragments[fragmentName]?.selectionSet);
        }
      }
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
