import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { CodedBody } from './sendCodedBody';

const gzipAsync = promisify(gzip);

export interface GraphiqlPageOptions {
  /** Where GraphiQL sends its operations, e.g. `/graphql`. */
  readonly endpoint: string;
  readonly title?: string;
  /** Shown in the editor until the user has a query of their own. */
  readonly defaultQuery?: string;
}

/** The page in both codings, each with its own strong validator. */
export type GraphiqlPage = CodedBody;

/**
 * Renders GraphiQL once (@graphql-yoga/render-graphiql inlines every script, style, worker and
 * the favicon, so the page fetches nothing from the internet) and gzips it: ~9 MB becomes ~2.5 MB
 * on the wire. The renderer is loaded here, on first use, so a server nobody browses never holds
 * the 9 MB of source in memory.
 */
export async function renderGraphiqlPage(options: GraphiqlPageOptions): Promise<GraphiqlPage> {
  assertSafeToEmbed(options);
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  const html = renderGraphiQL({
    endpoint: options.endpoint,
    // Subscriptions over graphql-sse, at the endpoint's `/stream` (GRAPHQL_STREAM_PATH): they
    // carry the headers of GraphiQL's header editor, the Authorization a key goes in, which a
    // browser's WebSocket cannot send.
    subscriptionsProtocol: 'GRAPHQL_SSE',
    // The renderer puts the title into <title> as it is: escape it for HTML.
    title: escapeHtml(options.title ?? 'GraphiQL'),
    ...(options.defaultQuery === undefined ? {} : { defaultQuery: options.defaultQuery }),
  });
  const identity = Buffer.from(html, 'utf8');
  const zipped = await gzipAsync(identity);
  const digest = createHash('sha256').update(identity).digest('base64url').slice(0, 27);
  return {
    identity,
    identityEtag: `"${digest}"`,
    gzip: zipped,
    gzipEtag: `"${digest}-gz"`,
  };
}

/**
 * The renderer embeds its options as JSON inside a <script> element, where `</script` or `<!--`
 * in a string would end or derail the script. These options are the server's own constants, so
 * refusing them is a programming error caught at the first render.
 */
function assertSafeToEmbed(options: GraphiqlPageOptions): void {
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === 'string' && /<\/script|<!--/i.test(value)) {
      throw new Error(`GraphiQL option ${name} must not contain "</script" or "<!--"`);
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
