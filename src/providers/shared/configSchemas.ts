import { z } from 'zod';

/**
 * Schemas for the keys of a source in the config file, shared by the kind definitions and the
 * config reader. Messages complete a sentence that starts with the key's path; `required` is what
 * an absent key reads as (`is required for kind fastly`).
 */
export function requiredText(required: string): z.ZodString {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? required
          : 'must be a string (quote it in YAML if it looks like a number)',
    })
    .min(1, { error: 'must not be empty' });
}

/** Credentials travel in HTTP headers: printable ASCII without spaces, nothing to inject. */
export function credential(required: string): z.ZodType<string> {
  return requiredText(required).regex(/^[\x21-\x7e]+$/, {
    error: 'must be printable ASCII without spaces or control characters',
  });
}

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
