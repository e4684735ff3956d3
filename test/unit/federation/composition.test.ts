import type { CompositionResult } from '@apollo/composition';
import type { ConstDirectiveNode, GraphQLSchema } from 'graphql';
import { buildSchema, isObjectType, print } from 'graphql';
import { composeWithUsers } from '../../support/usersSubgraph';

/** `@join__type` / `@join__field` arguments of a supergraph element, as printed values. */
function joinDirectives(
  directives: readonly ConstDirectiveNode[] | undefined,
  name: 'join__type' | 'join__field',
): Record<string, string>[] {
  return (directives ?? [])
    .filter((directive) => directive.name.value === name)
    .map((directive) =>
      Object.fromEntries(
        (directive.arguments ?? []).map((argument) => [argument.name.value, print(argument.value)]),
      ),
    );
}

function typeDirectives(schema: GraphQLSchema, typeName: string) {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type of the supergraph`);
  return joinDirectives(type.astNode?.directives, 'join__type');
}

function fieldOf(schema: GraphQLSchema, typeName: string, fieldName: string) {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type of the supergraph`);
  return type.getFields()[fieldName];
}

describe('auditgraph composed with a users subgraph that owns User', () => {
  let result: CompositionResult;
  let supergraph: GraphQLSchema;
  beforeAll(() => {
    result = composeWithUsers();
    if (result.errors === undefined) supergraph = buildSchema(result.supergraphSdl);
  });

  it('composes without errors', () => {
    expect(result.errors?.map((error) => error.message)).toBeUndefined();
  });

  it('composes without hints: no inconsistent descriptions, types or shareability to paper over', () => {
    // Every hint is a disagreement between the subgraphs that composition resolved by picking a
    // side; none is expected between auditgraph and a subgraph written to its contract.
    expect((result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`)).toEqual(
      [],
    );
  });

  it('adds User.auditEvents, resolved by auditgraph, to the User the users subgraph owns', () => {
    expect(typeDirectives(supergraph, 'User')).toEqual([
      { graph: 'AUDITGRAPH', key: '"email"' },
      { graph: 'USERS', key: '"email"' },
    ]);
    const auditEvents = fieldOf(supergraph, 'User', 'auditEvents');
    expect(String(auditEvents?.type)).toBe('AuditEventConnection!');
    expect(auditEvents?.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual([
      'first: Int',
      'after: String',
      'filter: AuditEventFilter',
      'orderBy: AuditEventOrder',
    ]);
    expect(joinDirectives(auditEvents?.astNode?.directives, 'join__field')).toEqual([
      { graph: 'AUDITGRAPH' },
    ]);
    expect(
      joinDirectives(fieldOf(supergraph, 'User', 'name')?.astNode?.directives, 'join__field'),
    ).toEqual([{ graph: 'USERS' }]);
  });

  it('makes AuditEvent an entity auditgraph resolves by id, which the users subgraph only references', () => {
    expect(typeDirectives(supergraph, 'AuditEvent')).toEqual([
      { graph: 'AUDITGRAPH', key: '"id"' },
      { graph: 'USERS', key: '"id"', resolvable: 'false' },
    ]);
  });

  it('makes Actor and Resource entities of auditgraph and shares PageInfo', () => {
    expect(typeDirectives(supergraph, 'Actor')).toEqual([{ graph: 'AUDITGRAPH', key: '"key"' }]);
    expect(typeDirectives(supergraph, 'Resource')).toEqual([{ graph: 'AUDITGRAPH', key: '"key"' }]);
    expect(typeDirectives(supergraph, 'PageInfo')).toEqual([{ graph: 'AUDITGRAPH' }]);
  });

  it('keeps the demand-control directives, so a router can price the feed before it asks', () => {
    const sdl = result.errors === undefined ? result.supergraphSdl : '';
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1"');
    for (const [typeName, fieldName] of [
      ['Query', 'auditEvents'],
      ['User', 'auditEvents'],
    ] as const) {
      const names = fieldOf(supergraph, typeName, fieldName)?.astNode?.directives?.map(
        (directive) => directive.name.value,
      );
      expect(names).toEqual(expect.arrayContaining(['cost', 'listSize']));
    }
  });
});
