import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/**
 * Deterministic authenticated encryption of short strings: what auditgraph hands a client and
 * reads back (cursors, event ids, entity keys) shows nothing of the provider data inside it, and
 * cannot be forged or altered.
 *
 * AES-256-GCM with a synthetic IV, an HMAC-SHA256 of the plaintext (the SIV construction of
 * RFC 5297, with GCM for the cipher): equal plaintexts seal to equal strings, so an event has one
 * id and a replayed page gives the very same cursors, and nothing else can be told from them.
 * Each purpose derives keys of its own from the secret (HKDF-SHA256, the purpose as `info`), so a
 * value sealed for one purpose never opens as another.
 */
export interface Sealer {
  /** base64url of IV (12 bytes), tag (16 bytes) and ciphertext. */
  seal(plaintext: string): string;
  /** The plaintext, or null for anything this sealer did not seal (checked before any work). */
  open(sealed: string): string | null;
  /** `seal` of a value's JSON. */
  sealJson(value: unknown): string;
  /**
   * The JSON array a `sealJson` sealed; null for anything else. What is inside is the caller's
   * to check: a value sealed by an older release or a bug must not turn into a crash.
   */
  openJsonArray(sealed: string): readonly unknown[] | null;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What sealing adds to a plaintext of `plaintextBytes` UTF-8 bytes, in base64url characters. */
export function sealedLength(plaintextBytes: number): number {
  return Math.ceil(((IV_BYTES + TAG_BYTES + plaintextBytes) * 4) / 3);
}

export interface SealerOptions {
  /** Longer sealed strings are refused before decoding: what this sealer can have written. */
  readonly maxSealedLength: number;
}

export function createSealer(
  secret: string | Uint8Array,
  purpose: string,
  options: SealerOptions,
): Sealer {
  if (secret.length < 16) throw new Error('the secret must be at least 16 bytes long');
  if (!Number.isSafeInteger(options.maxSealedLength) || options.maxSealedLength < 1) {
    throw new Error('maxSealedLength must be a positive whole number');
  }
  const material = Buffer.from(hkdfSync('sha256', secret, '', purpose, 64));
  const macKey = material.subarray(0, 32);
  const encKey = material.subarray(32);

  const sealer: Sealer = {
    seal(plaintext) {
      const bytes = Buffer.from(plaintext, 'utf8');
      const iv = createHmac('sha256', macKey).update(bytes).digest().subarray(0, IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const sealed = Buffer.concat([cipher.update(bytes), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    },

    open(text) {
      if (text.length > options.maxSealedLength || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
      const bytes = Buffer.from(text, 'base64url');
      // base64url leaves spare bits in its last character, which decoding ignores: only the one
      // canonical spelling is accepted, so a sealed value is one string, not several.
      if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== text) {
        return null;
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', encKey, bytes.subarray(0, IV_BYTES));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const plaintext = Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]);
        return plaintext.toString('utf8');
      } catch {
        return null;
      }
    },
    sealJson: (value) => sealer.seal(JSON.stringify(value)),
    openJsonArray(text) {
      const json = sealer.open(text);
      if (json === null) return null;
      try {
        const value: unknown = JSON.parse(json);
        return Array.isArray(value) ? (value as unknown[]) : null;
      } catch {
        return null;
      }
    },
  };
  return sealer;
}
