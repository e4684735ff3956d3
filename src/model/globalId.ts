import { LRUCache } from 'lru-cache';
import { createSealer, sealedLength } from './createSealer';
import { badUserInput } from './errors';
import { MAX_NATIVE_ID_JSON_BYTES } from './nativeId';
import { MAX_SOURCE_ID_LENGTH } from './Source';

/**
 * The opaque global id of an AuditEvent: its source, the provider's id and its time. The time lets
 * APIs without a get-by-id endpoint (Cloudflare) look the event up in a narrow window.
 */
export interface EventIdParts {
  readonly sourceId: string;
  readonly nativeId: string;
  readonly occurredAtMs: number;
}

/**
 * Makes and reads global event ids. An id is its parts sealed (createSealer.ts), so that it shows
 * nothing of the provider's id (which can hold an email) to a client that may not read it, and
 * the same event has the same id for every client, in every response, on every replica that
 * shares the secret.
 */
export interface EventIdCodec {
  encode(parts: EventIdParts): string;
  /** Refuses anything that is not an id this server made: BAD_USER_INPUT. */
  decode(id: string): EventIdParts;
}

const TYPE = 'AuditEvent';
/** `["AuditEvent","sourceId","nativeId",ts]`. */
const MAX_PLAINTEXT_BYTES = 16 + MAX_SOURCE_ID_LENGTH + 2 + MAX_NATIVE_ID_JSON_BYTES + 17 + 3;
export const MAX_EVENT_ID_LENGTH = sealedLength(MAX_PLAINTEXT_BYTES);

/**
 * Ids sealed lately, by their plaintext. Sealing is deterministic, so a remembered id is the one
 * sealing would give again; and the same events are asked for again and again (a dashboard's
 * newest page, a traversal's overlap with the last one, a live tail), at an HMAC and a cipher
 * each, the largest part of resolving an event's fields. 20,000 ids hold a few MiB.
 */
const REMEMBERED_IDS = 20_000;

export interface EventIdCodecOptions {
  /** How many sealed ids to remember; 0 remembers none. Default 20,000. */
  readonly remembered?: number;
}

export function createEventIdCodec(
  secret: string | Uint8Array,
  options: EventIdCodecOptions = {},
): EventIdCodec {
  const sealer = createSealer(secret, 'auditgraph event ids v1', {
    maxSealedLength: MAX_EVENT_ID_LENGTH,
  });
  const max = options.remembered ?? REMEMBERED_IDS;
  const remembered = max > 0 ? new LRUCache<string, string>({ max }) : null;
  const invalid = () => badUserInput('the id is not an auditgraph AuditEvent id');
  return {
    encode(parts) {
      const plaintext = JSON.stringify([TYPE, parts.sourceId, parts.nativeId, parts.occurredAtMs]);
      if (remembered === null) return sealer.seal(plaintext);
      let id = remembered.get(plaintext);
      if (id === undefined) {
        id = sealer.seal(plaintext);
        remembered.set(plaintext, id);
      }
      return id;
    },
    decode(id) {
      const value = sealer.openJsonArray(id);
      if (
        value === null ||
        value.length !== 4 ||
        value[0] !== TYPE ||
        typeof value[1] !== 'string' ||
        typeof value[2] !== 'string' ||
        value[2] === '' ||
        !Number.isSafeInteger(value[3])
      ) {
        throw invalid();
      }
      return { sourceId: value[1], nativeId: value[2], occurredAtMs: value[3] as number };
    },
  };
}
