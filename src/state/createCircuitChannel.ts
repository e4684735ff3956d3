import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  CircuitBreaker,
  CircuitState,
  ControllableCircuitBreaker,
} from '../http/createCircuitBreaker';
import { AuditgraphError } from '../model/errors';
import type { RedisState } from './createRedisState';

export interface CircuitChannelOptions {
  readonly redis: RedisState;
  /** The deployment's key prefix: its channel is its own too. */
  readonly keyPrefix: string;
  /** How long the circuit of each source stays open (the breakers' `openMs`). */
  readonly openMs: number;
  /**
   * How long one replica holds the fleet's probe of a half-open circuit: should it die while
   * probing, another probes after this.
   */
  readonly probeTimeoutMs: number;
}

/** A source's breaker as the fleet shares it. */
export interface SharedCircuit {
  /** The breaker the source's HTTP client uses: one probe for the fleet. */
  readonly breaker: CircuitBreaker;
  /** To be told of the local breaker's every move (its `onTransition`). */
  onTransition(from: CircuitState, to: CircuitState): void;
}

export interface CircuitChannel {
  /** Shares the circuit of one source; `local` is the breaker of this process. */
  join(sourceId: string, local: ControllableCircuitBreaker): SharedCircuit;
  close(): Promise<void>;
}

type CircuitMessage =
  | {
      readonly origin: string;
      readonly sourceId: string;
      readonly type: 'open';
      readonly forMs: number;
    }
  | { readonly origin: string; readonly sourceId: string; readonly type: 'closed' };

/**
 * Circuits shared by replicas. When a replica opens a source's circuit, it writes the fact to a
 * key that expires when the circuit would turn half-open, and publishes it: every replica opens
 * its own for the time left and fails fast too. Once half-open, one replica of the fleet wins
 * the probe (a key set if absent, with an expiry), the others keep failing fast; the probe's
 * outcome is published in turn, closing or re-opening every replica's circuit.
 *
 * While Redis is away each replica's breaker works on its own, as with no Redis; a replica that
 * (re)connects reads the open circuits it missed.
 */
export function createCircuitChannel(options: CircuitChannelOptions): CircuitChannel {
  const { redis, openMs, probeTimeoutMs } = options;
  const origin = randomUUID();
  const channel = `${options.keyPrefix}circuits`;
  const members = new Map<string, { local: ControllableCircuitBreaker; applying: boolean }>();
  const circuitKey = (sourceId: string) => `{circuit:${sourceId}}`;
  const probeKey = (sourceId: string) => `{circuit:${sourceId}}:probe`;

  const subscriber: Redis = redis.duplicate();
  subscriber.on('error', () => undefined); // the state connection tells of Redis going away
  subscriber.on('ready', () => {
    void subscriber.subscribe(channel).catch(() => undefined);
    for (const sourceId of members.keys()) void catchUp(sourceId);
  });
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const message = parse(text);
    if (message === null || message.origin === origin) return;
    const member = members.get(message.sourceId);
    if (member === undefined) return;
    apply(member, () =>
      message.type === 'open' ? member.local.trip(message.forMs) : member.local.reset(),
    );
  });

  /** A move another replica made: told to observers, never published again. */
  function apply(
    member: { local: ControllableCircuitBreaker; applying: boolean },
    move: () => void,
  ) {
    member.applying = true;
    try {
      move();
    } finally {
      member.applying = false;
    }
  }

  async function catchUp(sourceId: string): Promise<void> {
    const answer = await redis.call((client) => client.pttl(circuitKey(sourceId)));
    const member = members.get(sourceId);
    if (answer.ok && answer.value > 0 && member !== undefined) {
      apply(member, () => member.local.trip(answer.value));
    }
  }

  function publish(message: CircuitMessage): Promise<unknown> {
    return redis.call((client) => client.publish(channel, JSON.stringify(message)));
  }

  function join(sourceId: string, local: ControllableCircuitBreaker): SharedCircuit {
    const member = { local, applying: false };
    members.set(sourceId, member);
    void catchUp(sourceId);

    const breaker: CircuitBreaker = {
      state: () => local.state(),
      admit: (id) => {
        // Closed: go; open: fail fast. Only a half-open circuit asks the fleet.
        if (local.state() !== 'half-open') return local.admit(id);
        return (async () => {
          const won = await redis.call((client) =>
            client.set(probeKey(sourceId), origin, 'PX', probeTimeoutMs, 'NX'),
          );
          if (won.ok && won.value === null) {
            throw new AuditgraphError(
              'CIRCUIT_OPEN',
              `source ${id} failed repeatedly; another replica is probing it (circuit open)`,
              { sourceId: id, retryAfterSeconds: 1 },
            );
          }
          // Won, or Redis is away: this replica probes, as a single process would.
          return local.admit(id);
        })();
      },
    };

    function onTransition(_from: CircuitState, to: CircuitState): void {
      if (member.applying) return;
      if (to === 'open') {
        void redis.call((client) =>
          client
            .multi()
            .set(circuitKey(sourceId), origin, 'PX', openMs)
            .del(probeKey(sourceId))
            .exec(),
        );
        void publish({ origin, sourceId, type: 'open', forMs: openMs });
      } else if (to === 'closed') {
        void redis.call((client) => client.del(circuitKey(sourceId), probeKey(sourceId)));
        void publish({ origin, sourceId, type: 'closed' });
      }
    }

    return { breaker, onTransition };
  }

  return {
    join,
    close: async () => {
      members.clear();
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}

function parse(text: string): CircuitMessage | null {
  try {
    const value = JSON.parse(text) as Partial<CircuitMessage>;
    if (typeof value.origin !== 'string' || typeof value.sourceId !== 'string') return null;
    if (value.type === 'closed') return value as CircuitMessage;
    if (value.type === 'open' && typeof value.forMs === 'number' && value.forMs > 0) {
      return value as CircuitMessage;
    }
    return null;
  } catch {
    return null;
  }
}
