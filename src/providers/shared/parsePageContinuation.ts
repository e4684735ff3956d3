import { AuditgraphError } from '../../model/errors';

/** A page-number continuation the source wrote itself; anything else came from a forged cursor. */
export function parsePageContinuation(continuation: string | null, sourceId: string): number {
  if (continuation === null) return 1;
  if (!/^[1-9]\d{0,8}$/.test(continuation)) {
    throw new AuditgraphError('BAD_USER_INPUT', `invalid continuation for source ${sourceId}`, {
      sourceId,
    });
  }
  return Number(continuation);
}
