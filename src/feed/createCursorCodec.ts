import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '../model/errors';
import type { SortOrder } from '../model/Source';
import type { FeedPosition } from './eventKey';

/**
 * A position in one traversal. Cursors hold positions, never page numbers, so page 500 costs
 * what page 1 costs (design.md §4 promise 4).
 */
export interface FeedCursor {
  readonly order: SortOrder;
  /** hashFilter() of the traversal's filter: a cursor is only good for the filter it came from. */
  readonly filterHash: string;
  /** The snapshot instant fixed by the traversal's first page. */
  readonly asOfMs: number;
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

export interface CursorCodec {
  encode(cursor: FeedCursor): string;
  /** Refuses anything malformed, tampered or made for another order or filter: BAD_USER_INPUT. */
  decode(
    text: string,
    expected: { readonly order: SortOrder; readonly filterHash: string },
  ): FeedCursor;
}

const PREFIX = 'ag1';
const MAC_BYTES = 16;
/**
 * Checked before any decoding or HMAC work, so a huge cursor costs nothing. Room for the position
 * and a lagging position for each of a handful of sources with long native ids.
 */
const MAX_CURSOR_LENGTH = 2048;
const CURSOR_SHAPE = /^ag1\.[A-Za-z0-9_-]{1,1990}\.[A-Za-z0-9_-]{22}$/;
/** More lagging sources than this in one cursor is not something auditgraph writes. */
const MAX_LAGGING = 32;

/** A lagging source: its id alone when it stood at the start, else its id and position. */
type LaggingPayload =
  | [sourceId: string]
  | [sourceId: string, ts: number, positionSourceId: string, nativeId: string | null];

type CursorPayload =
  | [
      order: 'a' | 'd',
      filterHash: string,
      asOfMs: number,
      ts: number,
      sourceId: string,
      nativeId: string | null,
      hasPrevious: 0 | 1,
    ]
  | [
      order: 'a' | 'd',
      filterHash: string,
      asOfMs: number,
      ts: number,
      sourceId: string,
      nativeId: string | null,
      hasPrevious: 0 | 1,
      lagging: LaggingPayload[],
    ];

/**
 * Cursors are versioned (`ag1`), carry their payload as base64url JSON, and are signed with an
 * HMAC-SHA256 (truncated to 128 bits) over the version and payload with the server's secret.
 */
export function createCursorCodec(secret: string | Uint8Array): CursorCodec {
  if (secret.length < 16) throw new Error('the cursor secret must be at least 16 bytes long');
  const sign = (body: string) =>
    createHmac('sha256', secret).update(body).digest().subarray(0, MAC_BYTES);

  return {
    encode(cursor) {
      const base = [
        cursor.order === 'asc' ? 'a' : 'd',
        cursor.filterHash,
        cursor.asOfMs,
        cursor.position.ts,
        cursor.position.sourceId,
        cursor.position.nativeId,
        cursor.hasPrevious ? 1 : 0,
      ] as const;
      // Written only when a source lags, so the common cursor stays short.
      const payload: CursorPayload =
        cursor.lagging !== undefined && cursor.lagging.length > 0
          ? [...base, cursor.lagging.map(toLaggingPayload)]
          : [...base];
      const body = `${PREFIX}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${body}.${sign(body).toString('base64url')}`;
    },

    decode(text, expected) {
      if (text.length > MAX_CURSOR_LENGTH || !CURSOR_SHAPE.test(text)) throw invalid();
      const lastDot = text.lastIndexOf('.');
      const body = text.slice(0, lastDot);
      const mac = Buffer.from(text.slice(lastDot + 1), 'base64url');
      if (mac.length !== MAC_BYTES || !timingSafeEqual(mac, sign(body))) throw invalid();
      const payload = parsePayload(
        Buffer.from(body.slice(PREFIX.length + 1), 'base64url').toString('utf8'),
      );
      const [order, filterHash, asOfMs, ts, sourceId, nativeId, hasPrevious, lagging] = payload;
      if ((order === 'a' ? 'asc' : 'desc') !== expected.order) {
        throw badUserInput('the cursor was made for another orderBy; start again without `after`');
      }
      if (filterHash !== expected.filterHash) {
        throw badUserInput('the cursor was made for another filter; start again without `after`');
      }
      return {
        order: expected.order,
        filterHash,
        asOfMs,
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

function parsePayload(json: string): CursorPayload {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid();
  }
  // A signed payload is ours, but the shape is checked anyway: an old secret or a bug must not
  // turn into a crash deeper down.
  if (
    !Array.isArray(value) ||
    (value.length !== 7 && !(value.length === 8 && isLaggingList(value[7]))) ||
    (value[0] !== 'a' && value[0] !== 'd') ||
    typeof value[1] !== 'string' ||
    !Number.isSafeInteger(value[2]) ||
    !Number.isSafeInteger(value[3]) ||
    typeof value[4] !== 'string' ||
    (typeof value[5] !== 'string' && value[5] !== null) ||
    (value[6] !== 0 && value[6] !== 1)
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

function isLaggingList(value: unknown): value is LaggingPayload[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_LAGGING &&
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
