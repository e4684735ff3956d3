import { z } from 'zod';
import { isValidNativeId, NATIVE_ID_RULE } from '../../model/nativeId';

/**
 * A record's own id, as every kind reads it: a record with a longer or stranger id is a bad
 * record of its source, like any other schema violation (model/nativeId.ts says why).
 */
export const nativeIdSchema = z.string().refine(isValidNativeId, `must be ${NATIVE_ID_RULE}`);
