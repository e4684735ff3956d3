/** Response headers as undici hands them over: lower-case names, repeated ones as arrays. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); anything else (a
 * negative number, a fraction, a word) is no hint. The number is the upstream's, unbounded:
 * what auditgraph does with it is the HTTP client's decision.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs = Date.now(),
): number | null {
  const text = firstValue(value);
  if (text === null) return null;
  if (/^\d+$/.test(text)) return Number(text);
  return secondsUntilDate(text, nowMs);
}

/**
 * How long a 429 asks us to wait, in ms, from every hint the four providers send, or null when
 * there is none. The largest hint wins: waiting for the earliest one would only earn another 429.
 *
 * - `retry-after-ms`: the Stainless SDKs (Cloudflare, Nirvana) honour it, so a server may send it.
 * - `retry-after`: delta-seconds or an HTTP date; Cloudflare sends seconds, rounded up.
 * - `x-ratelimit-reset`: Cloudflare sends an RFC 1123 date; a number is read as delta-seconds, or
 *   as epoch seconds when it is too large to be a delay.
 * - `fastly-ratelimit-reset`: Fastly's window reset, in UTC epoch seconds.
 *
 * The result may be far beyond any wait auditgraph will hold (`Retry-After: 999999`, a date in
 * the year 9999, even Infinity from a number too long for a double): the caller clamps it.
 */
export function readRetryAfterMs(headers: ResponseHeaders, nowMs: number): number | null {
  const hints: number[] = [];
  const ms = firstValue(headers['retry-after-ms']);
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms)) hints.push(Math.ceil(Number(ms)));
  const retryAfter = parseRetryAfter(headers['retry-after'], nowMs);
  if (retryAfter !== null) hints.push(retryAfter * 1000);
  const reset = parseReset(firstValue(headers['x-ratelimit-reset']), nowMs);
  if (reset !== null) hints.push(reset * 1000);
  const fastlyReset = firstValue(headers['fastly-ratelimit-reset']);
  if (fastlyReset !== null && /^\d+$/.test(fastlyReset)) {
    hints.push(secondsUntil(Number(fastlyReset) * 1000, nowMs) * 1000);
  }
  return hints.length === 0 ? null : Math.max(...hints);
}

/** Epoch seconds are above this (2001-09-09); no rate-limit window is that long. */
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

function parseReset(text: string | null, nowMs: number): number | null {
  if (text === null) return null;
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= EPOCH_SECONDS_FLOOR ? secondsUntil(value * 1000, nowMs) : value;
  }
  return secondsUntilDate(text, nowMs);
}

/**
 * Every HTTP-date form (IMF-fixdate, RFC 850, asctime; RFC 9110 §5.6.7) opens with the day of
 * the week. Checked before Date.parse, which reads nearly anything as some date: "-5" is May
 * 2001 to it, and a garbled hint would become a hint to retry at once.
 */
const HTTP_DATE_START = /^(?:mon|tue|wed|thu|fri|sat|sun)/i;

/** An unreadable date is no hint at all, rather than a hint to retry at once. */
function secondsUntilDate(text: string, nowMs: number): number | null {
  if (!HTTP_DATE_START.test(text)) return null;
  const atMs = Date.parse(text);
  return Number.isNaN(atMs) ? null : secondsUntil(atMs, nowMs);
}

function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((atMs - nowMs) / 1000));
}

function firstValue(value: string | string[] | undefined): string | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text === undefined || text === '' ? null : text;
}
