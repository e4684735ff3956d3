/** An object as the base64url text of its JSON: the body of the emulators' opaque cursors. */
export function encodeBase64urlJson(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * The object `encodeBase64urlJson` wrote into `text`; null when `text` holds no JSON object. Its
 * fields are still unchecked: a cursor comes from the client.
 */
export function decodeBase64urlJson(text: string): Readonly<Record<string, unknown>> | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}
