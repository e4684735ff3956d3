/**
 * 32-bit FNV-1a of `text`, continued from `offset` (another hash, to chain two texts). Fast and
 * stable across runs, which is all an emulator needs of a hash: a request seeds the order of its
 * ties with it and gets the same order each time it asks.
 */
export function fnv1a(text: string, offset = FNV_OFFSET): number {
  let hash = offset;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  }
  return hash;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
