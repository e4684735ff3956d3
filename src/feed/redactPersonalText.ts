import { isIP } from 'node:net';

/** What an email or IP address in free text becomes for a client without the pii permission. */
export const REDACTED_TEXT = '[redacted]';

/**
 * An email address: a run of local-part characters (RFC 5322 `atext` and dots, letters of any
 * script, but not `/ = ? &`, which in practice end a path or query before an address), `@`, and a
 * domain. The lookbehind lets a match start only at the beginning of a run, so a long run without
 * `@` is scanned once, not once per character. Generous on purpose (`user@host` without a dot
 * counts): redacting a little too much is the safe side.
 */
const EMAIL =
  /(?<![\p{L}\p{N}!#$%'*+^_`{|}~.-])[\p{L}\p{N}!#$%'*+^_`{|}~.-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*/gu;
/**
 * Does the value hold an email or IP address, or an `@` (half an email is still one)? Values
 * that do are what a client without the pii permission may neither see nor filter on.
 */
export function hasPersonalData(value: string): boolean {
  return value.includes('@') || redactPersonalText(value) !== value;
}

/** A run of the characters IPv4 and IPv6 addresses are written with; `isIP` then decides. */
const ADDRESS_RUN = /[0-9A-Fa-f:.]+/g;
/** An IPv4 address inside a longer run ("192.0.2.1:8080"). */
const IPV4_INSIDE = /(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9]|\.\d)/g;
/** A letter, digit or underscore next to an address makes it part of a word, not an address. */
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;
/** Longer than any IPv6 address with an IPv4 tail (45 characters) and the separators around it. */
const MAX_ADDRESS_RUN = 48;

/**
 * The text with every email address and IP address (v4 or v6) replaced by `[redacted]`. Used for
 * free-text fields a client without the pii permission sees (descriptions, metadata values), and
 * by the feed to match such a client's `text` filter against what it sees.
 */
export function redactPersonalText(text: string): string {
  let out = text.includes('@') ? text.replace(EMAIL, REDACTED_TEXT) : text;
  if (/\d[.:]|:[0-9A-Fa-f:]/.test(out)) {
    out = out.replace(ADDRESS_RUN, (run, offset: number, whole: string) =>
      redactAddressesInRun(run, whole.charAt(offset - 1), whole.charAt(offset + run.length)),
    );
  }
  return out;
}

/** A run of address characters with the characters just before and after it. */
function redactAddressesInRun(run: string, before: string, after: string): string {
  if (run.length <= MAX_ADDRESS_RUN) {
    // Separators around an address are not part of it: "ip:2001:db8::1", "from 192.0.2.1.".
    // `::1` keeps its leading colons: the untrimmed run is tried first.
    const lead = run.startsWith(':') && !run.startsWith('::') ? 1 : 0;
    const trail = /[.:]$/.test(run) && !run.endsWith('::') ? 1 : 0;
    for (const [start, end] of [
      [0, run.length],
      [lead, run.length],
      [0, run.length - trail],
      [lead, run.length - trail],
    ] as const) {
      const candidate = run.slice(start, end);
      const left = start === 0 ? before : run.charAt(start - 1);
      const right = end === run.length ? after : run.charAt(end);
      if (isIP(candidate) !== 0 && !WORD_CHARACTER.test(left) && !WORD_CHARACTER.test(right)) {
        return `${run.slice(0, start)}${REDACTED_TEXT}${run.slice(end)}`;
      }
    }
  }
  return run.replace(IPV4_INSIDE, (address, offset: number) => {
    const left = offset === 0 ? before : run.charAt(offset - 1);
    const right =
      offset + address.length === run.length ? after : run.charAt(offset + address.length);
    return isIP(address) === 4 && !WORD_CHARACTER.test(left) && !WORD_CHARACTER.test(right)
      ? REDACTED_TEXT
      : address;
  });
}
