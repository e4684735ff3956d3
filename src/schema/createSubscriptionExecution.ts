import type {
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  GraphQLError as GraphQLErrorType,
  GraphQLFormattedError,
  GraphQLSchema,
} from 'graphql';
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe as graphqlSubscribe,
  validate,
} from 'graphql';
import type { Logger } from '../model/Logger';
import type { AuditgraphContext } from './createContext';
import { createQueryLimits } from './createQueryLimits';
import type { QueryLimits } from './createQueryLimits';
import type { ReadAuditRecord } from './createReadAuditPlugin';
import { toReadAuditRecord } from './createReadAuditPlugin';
import { observeStream } from '../model/observeStream';
import { createFormatError } from './formatError';

/** A subscription ready to run (its arguments, but for the context), or why it cannot. */
export type PreparedSubscription =
  | { readonly ok: true; readonly args: Omit<ExecutionArgs, 'contextValue'> }
  | { readonly ok: false; readonly errors: readonly GraphQLErrorType[] };

/** What a subscription transport was sent: the GraphQL over WebSocket / SSE request. */
export interface SubscriptionRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null | undefined;
  readonly operationName?: string | null | undefined;
}

export interface SubscriptionExecutionOptions {
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  /** Log an `audit` line when a subscription starts and one when it ends; default true. */
  readonly audit?: boolean;
  readonly limits?: Partial<QueryLimits>;
}

/**
 * How a subscription is run over graphql-ws and graphql-sse: the same limits as a query's
 * (parse tokens, depth, aliases, directives, cost), the same error formatting, and the same audit
 * line. Both transports hand their hooks to this one object, so that the two cannot drift.
 */
export interface SubscriptionExecution {
  /**
   * Parses and validates; errors (with a code) for anything that is not one valid subscription
   * operation. Queries and mutations go to `POST /graphql`, where Apollo Server runs them with
   * their plugins.
   */
  prepare(request: SubscriptionRequest): PreparedSubscription;
  /** graphql's subscribe, audited: one line when it starts (or is refused), one when it ends. */
  subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  /** A payload's errors through the one formatter (codes kept, the unexpected masked). */
  formatResult(result: {
    readonly data?: ExecutionResult['data'] | undefined;
    readonly errors?: readonly GraphQLErrorType[] | undefined;
  }): FormattedExecutionResult;
  formatErrors(errors: readonly GraphQLErrorType[]): GraphQLFormattedError[];
}

export function createSubscriptionExecution(
  options: SubscriptionExecutionOptions,
): SubscriptionExecution {
  const { schema, logger } = options;
  const limits = createQueryLimits(options.limits);
  const rules = [...specifiedRules, ...limits.validationRules];
  const format = createFormatError((error) =>
    logger.error(
      { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
      'unexpected error',
    ),
  );
  const formatErrors = (errors: readonly GraphQLErrorType[]): GraphQLFormattedError[] =>
    errors.map((error) => format(error.toJSON(), error));
  const audited = options.audit ?? true;

  const prepare: SubscriptionExecution['prepare'] = (request) => {
    if (typeof request.query !== 'string') return refuse([requestError('send a query string')]);
    let document;
    try {
      document = parse(request.query, limits.parseOptions);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'the query does not parse';
      return refuse([new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })]);
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) {
      return refuse(
        errors.map(
          (error) =>
            new GraphQLError(error.message, {
              ...(error.nodes === undefined ? {} : { nodes: error.nodes }),
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
        ),
      );
    }
    const operationName = request.operationName ?? null;
    const operation = getOperationAST(document, operationName);
    if (operation === null || operation === undefined)
      return refuse([requestError('name one operation of the document')]);
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      return refuse([
        requestError(
          `send a ${operation.operation} to POST /graphql; this endpoint runs subscriptions`,
        ),
      ]);
    }
    return {
      ok: true,
      args: { schema, document, operationName, variableValues: request.variables ?? null },
    };
  };

  const subscribe: SubscriptionExecution['subscribe'] = async (args) => {
    const startedAt = process.hrtime.bigint();
    const context = args.contextValue as AuditgraphContext;
    const result = await graphqlSubscribe(args);
    const record = (resultCount: number, errorCodes: readonly string[]): ReadAuditRecord =>
      toReadAuditRecord(context, {
        operationName: args.operationName ?? null,
        operationType: 'subscription',
        resultCount,
        errorCodes,
        startedAt,
      });
    if (!isAsyncGenerator(result)) {
      if (audited) {
        const codes = formatErrors(result.errors ?? []).map((error) => codeOf(error));
        logger.info({ ...record(0, codes), phase: 'refused' }, 'audit');
      }
      return result;
    }
    if (!audited) return result;
    logger.info({ ...record(0, []), phase: 'started' }, 'audit');
    // Deliveries are logged in aggregate, once, when the subscription ends: a line per event
    // would be a line per event per subscriber.
    let delivered = 0;
    const codes: string[] = [];
    return observeStream(result, {
      onValue: (value) => {
        if (value.errors === undefined) delivered += 1;
        else for (const error of formatErrors(value.errors)) codes.push(codeOf(error));
      },
      onEnd: () => logger.info({ ...record(delivered, codes), phase: 'ended' }, 'audit'),
    });
  };

  return {
    prepare,
    subscribe,
    formatResult: (result) => ({
      ...(result.data === undefined ? {} : { data: result.data }),
      ...(result.errors === undefined ? {} : { errors: formatErrors(result.errors) }),
    }),
    formatErrors,
  };
}

function refuse(errors: readonly GraphQLError[]): PreparedSubscription {
  return { ok: false, errors };
}

function requestError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } });
}

function codeOf(error: GraphQLFormattedError): string {
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
