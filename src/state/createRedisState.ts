import { Redis } from 'ioredis';

export interface RedisStateOptions {
  /** `redis://` or `rediss://` (TLS), with user and password in the URL when the server asks. */
  readonly url: string;
  /** Put before every key, so that several deployments can share one Redis. */
  readonly keyPrefix: string;
  /** The longest one call may take before the caller falls back to its local state. */
  readonly callBudgetMs?: number;
  /** Told when Redis stops answering (`local`) and when it answers again (`shared`). */
  readonly onStatus?: (status: RedisStatus, reason: string) => void;
}

/** `shared`: Redis answers; `local`: it does not, and each replica runs on its own state. */
export type RedisStatus = 'shared' | 'local';

/** What a call to Redis came to: its value, or nothing when Redis could not answer in time. */
export type RedisAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

export interface RedisState {
  /**
   * Runs one call within the call budget. A refused, failed or late call answers `{ ok: false }`
   * and turns the status `local` until a call succeeds again: Redis failing never fails the
   * caller, which uses its local state instead.
   */
  call<T>(run: (client: Redis) => Promise<T>): Promise<RedisAnswer<T>>;
  status(): RedisStatus;
  /** The client for subscriptions of its own (a subscriber needs a connection to itself). */
  duplicate(): Redis;
  close(): Promise<void>;
}

export const REDIS_CALL_BUDGET_MS = 50;

/**
 * One connection to Redis for the state replicas share (rate budgets, the page cache, circuits,
 * persisted queries). Commands are never queued while the connection is down: a call then fails
 * at once, and its caller goes on with local state; the client reconnects in the background.
 */
export function createRedisState(options: RedisStateOptions): RedisState {
  const budgetMs = options.callBudgetMs ?? REDIS_CALL_BUDGET_MS;
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: budgetMs,
    connectTimeout: 2_000,
    // Reconnects for as long as the process runs, at most every 2 s.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
    lazyConnect: false,
  });
  // Local until the connection is ready: the first status told is `shared`, once it is.
  let current: RedisStatus = 'local';
  const tell = (status: RedisStatus, reason: string): void => {
    if (status === current) return;
    current = status;
    options.onStatus?.(status, reason);
  };
  // Without a listener, a connection error would be an unhandled 'error' event.
  client.on('error', (error: Error) => tell('local', describe(error)));
  client.on('ready', () => tell('shared', 'connected'));
  client.on('end', () => tell('local', 'connection closed'));

  async function call<T>(run: (redis: Redis) => Promise<T>): Promise<RedisAnswer<T>> {
    if (client.status !== 'ready') {
      if (client.status !== 'connecting') tell('local', `connection ${client.status}`);
      return { ok: false };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${budgetMs} ms`)), budgetMs);
      });
      const value = await Promise.race([run(client), late]);
      tell('shared', 'answering');
      return { ok: true, value };
    } catch (error) {
      tell('local', describe(error));
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    call,
    status: () => current,
    duplicate: () => client.duplicate(),
    close: async () => {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

/** Name and message: never the URL, which may hold the password. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'failed';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.message.slice(0, 200);
}
