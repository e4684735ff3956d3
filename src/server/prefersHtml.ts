/**
 * Just enough of HTTP content negotiation (RFC 9110 §12.5) for two questions: does this client
 * want a page rather than JSON, and may the page be gzipped. Parsing is forgiving: a malformed
 * element is skipped, never an error, since these headers only choose a representation.
 */

/**
 * True when a browser navigates here: `text/html` is named explicitly and no JSON type is named
 * with an equal or higher weight. A bare wildcard (curl, fetch) is not a request for a page.
 */
export function prefersHtml(accept: string | undefined): boolean {
  const weights = parseWeights(accept);
  const html = weights.get('text/html');
  if (html === undefined || html <= 0) return false;
  const json = Math.max(
    weights.get('application/json') ?? 0,
    weights.get('application/graphql-response+json') ?? 0,
  );
  return html > json;
}

/** True when the client accepts a gzip-coded body, named or through `*`. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const weights = parseWeights(acceptEncoding);
  return (weights.get('gzip') ?? weights.get('*') ?? 0) > 0;
}

/** `text/html;q=0.9, image/*;q=0.8` → Map { text/html → 0.9, image/* → 0.8 }; names lower-cased. */
function parseWeights(header: string | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  if (header === undefined) return weights;
  for (const element of header.split(',')) {
    const [name = '', ...parameters] = element.split(';').map((part) => part.trim());
    if (name === '') continue;
    let weight = 1;
    for (const parameter of parameters) {
      const match = /^q\s*=\s*([0-9.]+)$/i.exec(parameter);
      if (match?.[1] !== undefined) {
        const parsed = Number(match[1]);
        weight = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
      }
    }
    const key = name.toLowerCase();
    // A type named twice keeps its highest weight.
    weights.set(key, Math.max(weights.get(key) ?? 0, weight));
  }
  return weights;
}
