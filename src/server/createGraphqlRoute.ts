import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import { allowMethod } from './allowMethod';
import { prefersHtml } from './prefersHtml';
import { readGraphqlBody } from './readGraphqlBody';
import { renderGraphiqlPage, type GraphiqlPage } from './renderGraphiqlPage';
import { sendError } from './sendError';
import { sendGraphiql } from './sendGraphiql';
import type { HttpServerOptions } from './toServerSettings';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlRouteOptions<C extends BaseContext> extends Pick<
  HttpServerOptions<C>,
  'apollo' | 'context' | 'graphiql' | 'graphiqlTitle' | 'defaultQuery'
> {
  /** The largest POST body read, checked by toServerSettings. */
  readonly bodyLimitBytes: number;
}

/** Answers one request to GRAPHQL_PATH; `search` is its query string, `?` included. */
export type GraphqlRoute = (
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
) => Promise<void>;

/**
 * `/graphql`: POST and GET through Apollo (executeHTTPGraphQLRequest, as every Apollo
 * integration does), GraphiQL for a browser's GET that carries no query. The GraphiQL page is
 * rendered once, on the first browser's visit.
 */
export function createGraphqlRoute<C extends BaseContext>(
  options: GraphqlRouteOptions<C>,
): GraphqlRoute {
  const graphiqlEnabled = options.graphiql ?? true;
  let graphiql: Promise<GraphiqlPage> | null = null;

  const loadGraphiql = (): Promise<GraphiqlPage> => {
    graphiql ??= renderGraphiqlPage({
      endpoint: GRAPHQL_PATH,
      ...(options.graphiqlTitle === undefined ? {} : { title: options.graphiqlTitle }),
      ...(options.defaultQuery === undefined ? {} : { defaultQuery: options.defaultQuery }),
    }).catch((error: unknown) => {
      graphiql = null; // a failed render is tried again by the next browser
      throw error;
    });
    return graphiql;
  };

  const serveGraphql = async (
    request: IncomingMessage,
    response: ServerResponse,
    search: string,
  ): Promise<void> => {
    let body: unknown = undefined;
    if (request.method === 'POST') {
      const parsed = await readGraphqlBody(request, response, options.bodyLimitBytes);
      if (!parsed.ok) return;
      body = parsed.body;
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: request.method ?? 'GET',
      headers: toHeaderMap(request),
      search,
      body,
    };
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => options.context(request),
    });
    // Apollo answers a browser's GET with its landing page, which loads Apollo Sandbox from a
    // CDN. The server is told to disable it; should it not be, the local GraphiQL stands in, or
    // nothing when GraphiQL is off.
    if (result.headers.get('content-type')?.startsWith('text/html') === true) {
      if (graphiqlEnabled) await sendGraphiql(request, response, await loadGraphiql());
      else sendError(response, 400, 'BAD_REQUEST', 'Send a GraphQL operation.');
      return;
    }
    response.statusCode = result.status ?? 200;
    // Audit data is per client and live: no shared or private cache may keep it. (Apollo's cache
    // control calculation is off, since no field of auditgraph's is ever cacheable.)
    response.setHeader('cache-control', 'no-store');
    for (const [name, value] of result.headers) response.setHeader(name, value);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    // Incremental delivery (@defer): write each part as it comes, minding backpressure.
    for await (const chunk of result.body.asyncIterator) {
      if (response.destroyed) return;
      if (!response.write(chunk)) {
        await new Promise<void>((resolve) => {
          response.once('drain', resolve);
          response.once('close', resolve);
        });
      }
    }
    response.end();
  };

  return async (request, response, search) => {
    if (!allowMethod(request, response, ['GET', 'POST'])) return;
    if (
      graphiqlEnabled &&
      request.method === 'GET' &&
      prefersHtml(request.headers.accept) &&
      !hasQuery(search)
    ) {
      await sendGraphiql(request, response, await loadGraphiql());
      return;
    }
    await serveGraphql(request, response, search);
  };
}

function hasQuery(search: string): boolean {
  return new URLSearchParams(search).has('query');
}

function toHeaderMap(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}
