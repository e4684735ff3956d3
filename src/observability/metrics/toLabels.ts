import { ERROR_CODES } from '../../model/errors';
import { REQUEST_ERROR_CODES } from '../../schema/formatError';

/**
 * Label values come from closed sets only: configured source ids and kinds, the enums of the
 * hooks, the error catalogue, HTTP statuses. Never a value a client chose (an operation name, a
 * path, a header), which would let any client grow the registry without bound.
 */

const CODES: ReadonlySet<string> = new Set([...ERROR_CODES, ...REQUEST_ERROR_CODES]);

/** An upstream's HTTP status: `100`–`599`, `none` when no response came, else `other`. */
export function toStatusLabel(status: number | null): string {
  if (status === null) return 'none';
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

/** An error code from the catalogue (or Apollo's request errors); anything else is `OTHER`. */
export function toCodeLabel(code: unknown): string {
  return typeof code === 'string' && CODES.has(code) ? code : 'OTHER';
}

const OPERATION_TYPES: ReadonlySet<string> = new Set(['query', 'mutation', 'subscription']);

/** `query`, `mutation`, `subscription`; `none` when the document did not get that far. */
export function toOperationLabel(operation: string | undefined): string {
  return operation !== undefined && OPERATION_TYPES.has(operation) ? operation : 'none';
}
