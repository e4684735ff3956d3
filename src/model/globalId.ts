import { badUserInput } from './errors';

/**
 * The opaque global id of an AuditEvent: its source, the provider's id and its time. The time lets
 * APIs without a get-by-id endpoint (Cloudflare) look the event up in a narrow window.
 */
export interface EventIdParts {
  readonly sourceId: string;
  readonly nativeId: string;
  readonly occurredAtMs: number;
}

const TYPE = 'AuditEvent';
const MAX_ID_LENGTH = 512;

export function toGlobalEventId(parts: EventIdParts): string {
  return Buffer.from(
    JSON.stringify([TYPE, parts.sourceId, parts.nativeId, parts.occurredAtMs]),
  ).toString('base64url');
}

/** Refuses anything that is not an id auditgraph made: BAD_USER_INPUT. */
export function parseGlobalEventId(id: string): EventIdParts {
  const invalid = () => badUserInput('the id is not an auditgraph AuditEvent id');
  if (id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    value[0] !== TYPE ||
    typeof value[1] !== 'string' ||
    typeof value[2] !== 'string' ||
    value[2] === '' ||
    !Number.isSafeInteger(value[3])
  ) {
    throw invalid();
  }
  return {
    sourceId: value[1],
    nativeId: value[2],
    occurredAtMs: value[3] as number,
  };
}
