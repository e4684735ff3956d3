import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

/** What one subscription has received so far, over a real client on loopback. */
export interface Received {
  /** `data.auditEventAdded` of each payload that had one, in arrival order. */
  readonly events: any[];
  /** When each of `events` arrived (epoch ms), index for index. */
  readonly arrivals: number[];
  /** The errors of every payload (in-band) and of the operation, in arrival order. */
  readonly errors: any[];
  /** Resolves when the server completes the subscription, or with the error that ended it. */
  readonly ended: Promise<{ readonly completed: boolean; readonly error?: unknown }>;
  /** Unsubscribes and closes the client. */
  stop(): Promise<void>;
}

export const TAIL_SUBSCRIPTION = `subscription Tail($filter: AuditEventFilter) {
  auditEventAdded(filter: $filter) {
    id nativeId occurredAt source { id } description actor { email } redacted
  }
}`;

type Sink = Parameters<ReturnType<typeof createWsClient>['subscribe']>[1];

function createSink(): { sink: Sink; received: Omit<Received, 'stop'> } {
  const events: any[] = [];
  const arrivals: number[] = [];
  const errors: any[] = [];
  let settle!: (value: { readonly completed: boolean; readonly error?: unknown }) => void;
  const ended = new Promise<{ readonly completed: boolean; readonly error?: unknown }>(
    (resolve) => {
      settle = resolve;
    },
  );
  const sink: Sink = {
    next: (payload: any) => {
      if (payload.data?.auditEventAdded) {
        events.push(payload.data.auditEventAdded);
        arrivals.push(Date.now());
      }
      for (const error of payload.errors ?? []) errors.push(error);
    },
    error: (error: unknown) => {
      if (Array.isArray(error)) errors.push(...error);
      settle({ completed: false, error });
    },
    complete: () => settle({ completed: true }),
  };
  return { sink, received: { events, arrivals, errors, ended } };
}

/** A graphql-ws client (subprotocol graphql-transport-ws) with `authorization` in connection_init. */
export function subscribeOverWebSocket(
  baseUrl: string,
  key: string | null,
  variables: Record<string, unknown> = {},
  query = TAIL_SUBSCRIPTION,
): Received & { readonly closed: Promise<number> } {
  let onClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => {
    onClosed = resolve;
  });
  const client = createWsClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(key === null ? {} : { connectionParams: { authorization: `Bearer ${key}` } }),
    on: { closed: (event: any) => onClosed(event?.code ?? 0) },
  });
  const { sink, received } = createSink();
  const unsubscribe = client.subscribe({ query, variables }, sink);
  return {
    ...received,
    closed,
    stop: async () => {
      unsubscribe();
      await client.dispose();
    },
  };
}

/** A graphql-sse client (distinct connections) with the Authorization header. */
export function subscribeOverSse(
  baseUrl: string,
  key: string | null,
  variables: Record<string, unknown> = {},
  query = TAIL_SUBSCRIPTION,
): Received {
  const client = createSseClient({
    url: `${baseUrl}/graphql/stream`,
    retryAttempts: 0,
    ...(key === null ? {} : { headers: { authorization: `Bearer ${key}` } }),
  });
  const { sink, received } = createSink();
  const unsubscribe = client.subscribe({ query, variables }, sink as any);
  return {
    ...received,
    stop: async () => {
      unsubscribe();
      client.dispose();
      await Promise.resolve();
    },
  };
}

/** Waits until `predicate` holds, checking every 20 ms; fails after `timeoutMs`, naming `what`. */
export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
