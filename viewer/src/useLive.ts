import { createClient } from 'graphql-sse';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiErrorItem } from './api';
import { authorizationHeaders, toErrorItem } from './api';
import type { AuditEvent, TailAnswer } from './queries';
import { TAIL_SUBSCRIPTION } from './queries';

export type LiveState =
  | { readonly kind: 'off' }
  | { readonly kind: 'on'; readonly received: number; readonly warnings: readonly ApiErrorItem[] }
  | { readonly kind: 'ended'; readonly reason: string };

/**
 * The live tail: `auditEventAdded` with the view's filter, over server-sent events
 * (graphql-sse at `/graphql/stream`), which, unlike a browser's WebSocket, carries the
 * Authorization header. Events arrive oldest first; each is handed to `onEvents` as it comes.
 * A source's failure arrives as an error of one payload and the tail goes on with the others.
 */
export function useLive(
  enabled: boolean,
  filter: Record<string, unknown>,
  filterKey: string,
  onEvents: (events: readonly AuditEvent[]) => void,
): LiveState {
  const [state, setState] = useState<LiveState>({ kind: 'off' });
  const handler = useRef(onEvents);
  handler.current = onEvents;
  const filterRef = useRef(filter);
  filterRef.current = filter;

  useEffect(() => {
    if (!enabled) {
      setState({ kind: 'off' });
      return;
    }
    let received = 0;
    let warnings: readonly ApiErrorItem[] = [];
    setState({ kind: 'on', received, warnings });
    const client = createClient({
      url: '/graphql/stream',
      headers: () => authorizationHeaders(),
      retryAttempts: 3,
    });
    // The tail starts now: `since` would only repeat the window's start, `before` ends it.
    const tailFilter = { ...filterRef.current };
    delete tailFilter.since;
    const unsubscribe = client.subscribe<TailAnswer>(
      { query: TAIL_SUBSCRIPTION, variables: { filter: tailFilter } },
      {
        next: (result) => {
          if (result.errors !== undefined && result.errors.length > 0) {
            warnings = result.errors.map((error) => toErrorItem(error));
          }
          const event = result.data?.auditEventAdded;
          if (event !== undefined) {
            received += 1;
            handler.current([event]);
          }
          setState({ kind: 'on', received, warnings });
        },
        error: (error: unknown) => {
          const message =
            error instanceof Error
              ? error.message
              : Array.isArray(error)
                ? error.map((item: { message?: string }) => item.message ?? '').join('; ')
                : 'the stream closed';
          setState({ kind: 'ended', reason: message });
        },
        complete: () => setState({ kind: 'ended', reason: 'the range ended' }),
      },
    );
    return () => {
      unsubscribe();
      client.dispose();
    };
  }, [enabled, filterKey]);

  return state;
}
