import { createHmac } from 'node:crypto';
import { createSealer, sealedLength } from '../model/createSealer';
import { AuditgraphError, badUserInput } from '../model/errors';
import { MAX_NATIVE_ID_JSON_BYTES } from '../model/nativeId';
import type { SortOrder } from '../model/Source';
import { MAX_SOURCE_ID_LENGTH } from '../model/Source';
import type { FeedPosition } from './eventKey';

/**
 * A position in one traversal. Cursors hold positions, never page numbers, so page 500 costs
 * what page 1 costs (design.md §4 promise 4).
 */
export interface FeedCursor {
  readonly order: SortOrder;
  /** hashFilter() of the traversal's filter: a cursor is only good for the filter it came from. */
  readonly filterHash: string;
  /**
   * Principal.id of the client the traversal is read for: a cursor is only good for that client.
   * Only a keyed hash of it is written into the cursor.
   */
  readonly principalId: string;
  /** The snapshot instant fixed by the traversal's first page. */
  readonly asOfMs: number;
  /**
   * When the traversal's cursors stop being accepted. Absent when the first page's cursors are
   * written: the codec sets it then (now plus its ttl), and every later cursor of the traversal
   * carries it unchanged, so they all expire together and a replayed page gives the very same
   * cursors (promise 6). A decoded cursor always has it.
   */
  readonly expiresAtMs?: number;
  /** Every event at or before this position, in the traversal's order, has been delivered. */
  readonly position: FeedPosition;
  /** At least one event of the traversal lies before the position. */
  readonly hasPrevious: boolean;
  /**
   * Sources that failed while the traversal moved on, each with the place it stood: every event
   * of it up to there was delivered (null: none yet). The next page reads it again from there.
   * Absent when every source is up to `position`.
   */
  readonly lagging?: readonly LaggingSource[];
}

/** A source that fell behind the traversal's position because it failed. */
export interface LaggingSource {
  readonly sourceId: string;
  /** Every event of the source up to here was delivered; null: none was, from the start. */
  readonly stoodAt: FeedPosition | null;
}

/** What a cursor must have been made for to be accepted. */
export interface ExpectedCursor {
  readonly order: SortOrder;
  readonly filterHash: string;
  readonly principalId: string;
}

export interface CursorCodec {
  /** The most sources a cursor may name: a feed over more sources needs another codec. */
  readonly maxSources: number;
  encode(cursor: FeedCursor): string;
  /**
   * Refuses anything malformed, tampered, expired, written by an earlier version, or made for
   * another client, order or filter: BAD_USER_INPUT.
   */
  decode(text: string, expected: ExpectedCursor): FeedCursor & { readonly expiresAtMs: number };
}

export interface CursorCodecOptions {
  /** How long a traversal's cursors are accepted after its first page. Default 24 h. */
  readonly ttlMs?: number;
  /** Epoch ms; Date.now unless a test injects a clock. */
  readonly now?: () => number;
  /**
   * How many sources may lag in one cursor: the number of configured sources (a cursor names
   * each at most once). Default 32. It bounds the longest cursor the codec writes, and so the
   * longest it reads.
   */
  readonly maxSources?: number;
}

const PREFIX = 'ag3';
/** Cursors of earlier formats: refused with a message saying so, not as tampered. */
const EARLIER_PREFIXES = ['ag1.', 'ag2.'];
const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
const PRINCIPAL_TAG_BYTES = 12;
const DEFAULT_MAX_SOURCES = 32;
/** A safe integer in JSON, with its sign. */
const MAX_NUMBER_BYTES = 17;
const MAX_SOURCE_ID_JSON_BYTES = MAX_SOURCE_ID_LENGTH + 2;
/** A position: `ts, "sourceId", "nativeId"` and the commas between. */
const MAX_POSITION_BYTES =
  MAX_NUMBER_BYTES + MAX_SOURCE_ID_JSON_BYTES + MAX_NATIVE_ID_JSON_BYTES + 2;
/** Everything but the lagging list: order, the filter hash, the tag, three numbers, a position. */
const MAX_BASE_BYTES = 200 + MAX_POSITION_BYTES;
/** One lagging source: `["sourceId", position]`. */
const MAX_LAGGING_BYTES = 4 + MAX_SOURCE_ID_JSON_BYTES + MAX_POSITION_BYTES;

/** The longest cursor a codec for this many sources can write; longer ones are refused unread. */
export function maxCursorLength(maxSources: number): number {
  return PREFIX.length + 1 + sealedLength(MAX_BASE_BYTES + 2 + maxSources * MAX_LAGGING_BYTES);
}

/** A lagging source: its id alone when it stood at the start, else its id and position. */
type LaggingPayload =
  | [sourceId: string]
  | [sourceId: string, ts: number, positionSourceId: string, nativeId: string | null];

type BasePayload = [
  order: 'a' | 'd',
  filterHash: string,
  principalTag: string,
  expiresAtMs: number,
  asOfMs: number,
  ts: number,
  sourceId: string,
  nativeId: string | null,
  hasPrevious: 0 | 1,
];

type CursorPayload = BasePayload | [...BasePayload, lagging: LaggingPayload[]];

/**
 * Cursors are versioned (`ag3`) and carry their payload sealed (createSealer.ts: authenticated
 * encryption under a key derived from the server's secret), so a cursor shows nothing of the
 * provider ids or times inside it and cannot be altered. Sealing is deterministic: a replayed
 * page gives the very same cursors.
 *
 * The payload is the JSON `[order, filterHash, principalTag, expiresAtMs, asOfMs, ts, sourceId,
 * nativeId, hasPrevious, lagging?]`. `principalTag` is an HMAC of the principal's id under the
 * secret (96 bits), so the cursor is refused for any other client with a message that says so.
 *
 * Every cursor the codec writes is one it reads back: provider ids are bounded (nativeId.ts),
 * source ids too, and a cursor names each source at most once, so the longest cursor follows
 * from the number of sources; decoding refuses anything longer before any other work.
 */
export function createCursorCodec(
  secret: string | Uint8Array,
  options: CursorCodecOptions = {},
): CursorCodec {
  if (secret.length < 16) throw new Error('the cursor secret must be at least 16 bytes long');
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new Error('the cursor ttlMs must be a positive whole number of milliseconds');
  }
  const now = options.now ?? Date.now;
  const maxSources = options.maxSources ?? DEFAULT_MAX_SOURCES;
  if (!Number.isSafeInteger(maxSources) || maxSources < 1) {
    throw new Error('the cursor maxSources must be a positive whole number');
  }
  const maxLength = maxCursorLength(maxSources);
  const sealer = createSealer(secret, 'auditgraph cursors v3', {
    maxSealedLength: maxLength - PREFIX.length - 1,
  });
  // A separate domain from the cursor MAC, whose input always starts with the version.
  const computeTag = (principalId: string) =>
    createHmac('sha256', secret)
      .update(`principal\u0000${principalId}`)
      .digest()
      .subarray(0, PRINCIPAL_TAG_BYTES)
      .toString('base64url');
  // A page encodes a cursor per edge, all for one client: its tag is worked out once, not per edge.
  let lastTag: { readonly principalId: string; readonly tag: string } | null = null;
  const tagPrincipal = (principalId: string): string => {
    if (lastTag?.principalId !== principalId) {
      lastTag = { principalId, tag: computeTag(principalId) };
    }
    return lastTag.tag;
  };

  return {
    maxSources,
    encode(cursor) {
      const base: BasePayload = [
        cursor.order === 'asc' ? 'a' : 'd',
        cursor.filterHash,
        tagPrincipal(cursor.principalId),
        cursor.expiresAtMs ?? now() + ttlMs,
        cursor.asOfMs,
        cursor.position.ts,
        cursor.position.sourceId,
        cursor.position.nativeId,
        cursor.hasPrevious ? 1 : 0,
      ];
      // Written only when a source lags, so the common cursor stays short.
      const payload: CursorPayload =
        cursor.lagging !== undefined && cursor.lagging.length > 0
          ? [...base, cursor.lagging.map(toLaggingPayload)]
          : base;
      const text = `${PREFIX}.${sealer.sealJson(payload)}`;
      // Cannot happen with bounded ids and at most maxSources lagging: a cursor the codec would
      // refuse must never reach a client, who could then never get past its page.
      if (text.length > maxLength || (cursor.lagging?.length ?? 0) > maxSources) {
        throw new AuditgraphError(
          'INTERNAL_SERVER_ERROR',
          'a cursor would exceed the length auditgraph accepts back',
        );
      }
      return text;
    },

    decode(text, expected) {
      if (text.length > maxLength) throw invalid();
      if (EARLIER_PREFIXES.some((prefix) => text.startsWith(prefix))) {
        throw badUserInput(
          'the cursor was made by an earlier version of auditgraph and is no longer accepted; start again without `after`',
        );
      }
      if (!text.startsWith(`${PREFIX}.`)) throw invalid();
      const payload = parsePayload(sealer.openJsonArray(text.slice(PREFIX.length + 1)), maxSources);
      const [
        order,
        filterHash,
        principalTag,
        expiresAtMs,
        asOfMs,
        ts,
        sourceId,
        nativeId,
        hasPrevious,
        lagging,
      ] = payload;
      if (principalTag !== tagPrincipal(expected.principalId)) {
        throw badUserInput('the cursor was made for another client; start again without `after`');
      }
      if (now() >= expiresAtMs) {
        throw badUserInput('the cursor has expired; start again without `after`');
      }
      if ((order === 'a' ? 'asc' : 'desc') !== expected.order) {
        throw badUserInput('the cursor was made for another orderBy; start again without `after`');
      }
      if (filterHash !== expected.filterHash) {
        throw badUserInput('the cursor was made for another filter; start again without `after`');
      }
      return {
        order: expected.order,
        filterHash,
        principalId: expected.principalId,
        asOfMs,
        expiresAtMs,
        position: { ts, sourceId, nativeId },
        hasPrevious: hasPrevious === 1,
        ...(lagging === undefined ? {} : { lagging: lagging.map(fromLaggingPayload) }),
      };
    },
  };
}

function invalid() {
  return badUserInput(
    'the cursor is not valid: pass an endCursor or edge cursor exactly as auditgraph returned it',
  );
}

function parsePayload(value: readonly unknown[] | null, maxSources: number): CursorPayload {
  // A sealed payload is ours, but the shape is checked anyway: an old secret or a bug must not
  // turn into a crash deeper down.
  if (
    value === null ||
    (value.length !== 9 && !(value.length === 10 && isLaggingList(value[9], maxSources))) ||
    (value[0] !== 'a' && value[0] !== 'd') ||
    typeof value[1] !== 'string' ||
    typeof value[2] !== 'string' ||
    !Number.isSafeInteger(value[3]) ||
    !Number.isSafeInteger(value[4]) ||
    !Number.isSafeInteger(value[5]) ||
    typeof value[6] !== 'string' ||
    (typeof value[7] !== 'string' && value[7] !== null) ||
    (value[8] !== 0 && value[8] !== 1)
  ) {
    throw invalid();
  }
  return value as CursorPayload;
}

function toLaggingPayload(lagging: LaggingSource): LaggingPayload {
  const { sourceId, stoodAt } = lagging;
  if (stoodAt === null) return [sourceId];
  return [sourceId, stoodAt.ts, stoodAt.sourceId, stoodAt.nativeId];
}

function fromLaggingPayload(payload: LaggingPayload): LaggingSource {
  if (payload.length === 1) return { sourceId: payload[0], stoodAt: null };
  const [sourceId, ts, positionSourceId, nativeId] = payload;
  return { sourceId, stoodAt: { ts, sourceId: positionSourceId, nativeId } };
}

function isLaggingList(value: unknown, maxSources: number): value is LaggingPayload[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= maxSources &&
    value.every(
      (entry) =>
        Array.isArray(entry) &&
        typeof entry[0] === 'string' &&
        (entry.length === 1 ||
          (entry.length === 4 &&
            Number.isSafeInteger(entry[1]) &&
            typeof entry[2] === 'string' &&
            (typeof entry[3] === 'string' || entry[3] === null))),
    )
  );
}
