import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { QueryLimits } from '../model/QueryLimits';
import { QUERY_LIMIT_DEFAULTS } from '../model/QueryLimits';

export { QUERY_LIMIT_DEFAULTS, type QueryLimits } from '../model/QueryLimits';

/** What ApolloServer takes to enforce the limits. */
export interface QueryLimitsProtection {
  readonly parseOptions: ParseOptions;
  readonly validationRules: ValidationRule[];
  readonly plugins: ApolloServerPlugin<BaseContext>[];
}

/**
 * Cost weights. graphql-armor's defaults (object 2, scalar 1, ×1.5 per level) price the demo's own
 * example query at `first: 100` over 11,000, so the page size every client may ask for would be
 * refused. Here an object costs 2, a scalar 0.25 (the token limit bounds how many a document
 * names) and a level nothing more (depth has its own limit): a page of 100 events with every
 * field costs 3,850, two example pages of 100 cost 4,550 and pass, while two full pages, or twelve
 * aliased `auditEvents(first: 100) { edges { cursor } }` (each a read of every source), do not.
 */
const COST_WEIGHTS = { objectCost: 2, scalarCost: 0.25, depthCostFactor: 1 } as const;

/**
 * The limits as graphql-armor's Apollo protections, plus what armor leaves open:
 *
 * - Tokens are counted by graphql-js's own parser (`parseOptions.maxTokens`), a parse error with
 *   HTTP 400. Armor's Apollo token plugin throws from `parsingDidStart`, which Apollo treats as an
 *   unexpected error: HTTP 500, and its `unexpectedErrorProcessingRequest` hook would show any
 *   unexpected error's message to the client as a validation failure.
 * - Armor prices `first` only when it is a literal, so `first: $n` would cost as `first: 1`. The
 *   operation is priced again once its variables are known, with `first` taken from them or from
 *   the schema's default.
 *
 * Armor's own error propagation is off: each rule reports to the validation context with a
 * message that names the limit and nothing of the schema, and Apollo gives it the code
 * GRAPHQL_VALIDATION_FAILED.
 */
export function createQueryLimits(limits: Partial<QueryLimits> = {}): QueryLimitsProtection {
  const settings = { ...QUERY_LIMIT_DEFAULTS, ...definedOnly(limits) };
  assertLimits(settings);
  const costLimit = {
    maxCost: settings.maxCost,
    ...COST_WEIGHTS,
    ...reportOnly(),
  };
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { n: settings.maxDepth, ...reportOnly() },
    maxAliases: { n: settings.maxAliases, ...reportOnly() },
    maxDirectives: { n: settings.maxDirectives, ...reportOnly() },
    costLimit,
    // Apollo's hideSchemaDetailsFromClientErrors removes "Did you mean" too; this is the belt
    // to its braces, for messages that plugin does not see.
    blockFieldSuggestion: { enabled: true },
  });
  const { plugins, validationRules } = armor.protect();
  const costRules = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
    costLimit,
  }).protect().validationRules;
  return {
    parseOptions: { maxTokens: settings.maxTokens },
    validationRules,
    plugins: [...plugins, costWithVariablesPlugin(costRules)],
  };
}

/**
 * Armor's rules would throw past the validation context (its default), or report through a
 * handler that prefixes "Syntax Error: "; this reports the bare message instead.
 */
function reportOnly(): {
  readonly propagateOnRejection: false;
  readonly onReject: ((context: ValidationContext | null, error: GraphQLError) => void)[];
} {
  return {
    propagateOnRejection: false,
    onReject: [
      (context, error) =>
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
    ],
  };
}

/**
 * Prices the operation again with `first` as it will run: from a variable, or the default. A
 * `first` over the page size the server allows is priced at that size: the resolver refuses it
 * with BAD_USER_INPUT, a more precise answer than the cost.
 */
function costWithVariablesPlugin(costRules: readonly ValidationRule[]): ApolloServerPlugin {
  // Apollo hands every request of one operation the same parsed document, and the price depends
  // only on the values `first` can take from: so each document keeps its verdicts (the message
  // of the error, or null) by those values, a few of them, instead of pricing every request.
  const verdicts = new WeakMap<DocumentNode, Map<string, string | null>>();
  const priceOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Readonly<Record<string, unknown>>,
    maxFirst: number,
  ): string | null => {
    const key = JSON.stringify([maxFirst, intVariableValues(document, variables)]);
    let known = verdicts.get(document);
    const cached = known?.get(key);
    if (cached !== undefined) return cached;
    const priced = withFirstResolved(schema, document, { variables, maxFirst });
    const verdict =
      priced === document ? null : (validate(schema, priced, costRules)[0]?.message ?? null);
    if (known === undefined || known.size >= MAX_VERDICTS_PER_DOCUMENT) {
      known = new Map();
      verdicts.set(document, known);
    }
    known.set(key, verdict);
    return verdict;
  };
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ document, schema, request, contextValue }) => {
          const message = priceOf(
            schema,
            document,
            request.variables ?? {},
            toMaxFirst(contextValue),
          );
          if (message === null) return Promise.resolve();
          return Promise.reject(
            new GraphQLError(message, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            }),
          );
        },
      }),
  };
}

const MAX_VERDICTS_PER_DOCUMENT = 32;

/**
 * The values of the document's variables declared `Int` or `Int!`: the only ones validation lets
 * stand for `first`, and so all its price can depend on.
 */
function intVariableValues(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>>,
): unknown[] {
  const values: unknown[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const { variable, type } of definition.variableDefinitions ?? []) {
      const named = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
      if (named.kind !== Kind.NAMED_TYPE || named.name.value !== 'Int') continue;
      const name = variable.name.value;
      // Absent is not null: absent takes the variable's default.
      values.push(name, name in variables ? [variables[name]] : 'absent');
    }
  }
  return values;
}

/** `pagination.maxFirst` of auditgraph's context; none for another. */
function toMaxFirst(context: unknown): number {
  const maxFirst = (context as { pagination?: { maxFirst?: unknown } } | null)?.pagination
    ?.maxFirst;
  return typeof maxFirst === 'number' ? maxFirst : Number.POSITIVE_INFINITY;
}

/**
 * The document with every `first` argument that is a variable, or omitted where the schema gives
 * a default, written as the integer it will be. The same document when there is none.
 */
function withFirstResolved(
  schema: GraphQLSchema,
  document: DocumentNode,
  given: { readonly variables: Readonly<Record<string, unknown>>; readonly maxFirst: number },
): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  let changed = false;
  const intValue = (value: unknown): ValueNode | null =>
    typeof value === 'number' && Number.isSafeInteger(value)
      ? { kind: Kind.INT, value: String(Math.min(value, given.maxFirst)) }
      : null;
  const variableDefaults = new Map<string, unknown>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const value = variable.defaultValue;
      if (value?.kind === Kind.INT)
        variableDefaults.set(variable.variable.name.value, Number(value.value));
    }
  }
  const result = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        leave(node) {
          const firstArg = typeInfo.getFieldDef()?.args.find((arg) => arg.name === 'first');
          if (firstArg === undefined) return undefined;
          const argument = node.arguments?.find((each) => each.name.value === 'first');
          let value: ValueNode | null = null;
          if (argument === undefined) value = intValue(firstArg.defaultValue);
          else if (argument.value.kind === Kind.VARIABLE) {
            const name = argument.value.name.value;
            value = intValue(
              name in given.variables ? given.variables[name] : variableDefaults.get(name),
            );
          }
          if (value === null) return undefined;
          changed = true;
          const first: ArgumentNode = {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: 'first' },
            value,
          };
          return {
            ...node,
            arguments: [
              ...(node.arguments ?? []).filter((each) => each.name.value !== 'first'),
              first,
            ],
          };
        },
      },
    }),
  );
  return changed ? result : document;
}

function definedOnly(limits: Partial<QueryLimits>): Partial<QueryLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

function assertLimits(limits: QueryLimits): void {
  for (const name of Object.keys(QUERY_LIMIT_DEFAULTS) as (keyof QueryLimits)[]) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`createApolloServer: limits.${name} must be a positive integer`);
    }
  }
}
