/**
 * The provider ids auditgraph accepts. The APIs document ids of 32 to 36 characters (UUIDs, hex,
 * alphanumeric tokens; FusionAuth's are numbers); 256 leaves room for any format a provider may
 * move to. Control characters and lone surrogates are never part of an id. A record whose id
 * breaks this is a bad record of its source, refused like one that breaks the API's schema: the
 * id goes into every cursor and event id that names the event, and those must stay within what
 * auditgraph accepts back (providers.md; design.md §4, promise 8).
 */
export const MAX_NATIVE_ID_LENGTH = 256;

/** No control character (Cc) and no lone surrogate (Cs) from start to end. */
const ID_CHARACTERS = /^[^\p{Cc}\p{Cs}]+$/u;

/**
 * The most UTF-8 bytes a valid id takes in JSON, quotes included: three per UTF-16 unit (an
 * astral character is two units and four bytes; `"` and `\` are escaped to two).
 */
export const MAX_NATIVE_ID_JSON_BYTES = MAX_NATIVE_ID_LENGTH * 3 + 2;

export function isValidNativeId(value: string): boolean {
  return value.length <= MAX_NATIVE_ID_LENGTH && ID_CHARACTERS.test(value);
}

/** Why a record's id is refused, for the source's error message. */
export const NATIVE_ID_RULE = `an id of 1 to ${MAX_NATIVE_ID_LENGTH} characters without control characters`;
