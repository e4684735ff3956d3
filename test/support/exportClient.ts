import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { get } from 'node:http';

/** What `GET /export` answered, read to its end. */
export interface ExportResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** NDJSON: the event lines, in order. */
  readonly events: any[];
  /** NDJSON: the `@checkpoint` lines' content. */
  readonly checkpoints: any[];
  /** NDJSON: the `@end` line's content; null when there was none. */
  readonly end: any;
  /** HTTP trailers (CSV's end state), lower-cased names. */
  readonly trailers: NodeJS.Dict<string>;
}

/** `${base}/export?params`, as `bearer` when given. */
export function openExport(
  base: string,
  params: Readonly<Record<string, string>>,
  bearer?: string,
): Promise<IncomingMessage> {
  const url = new URL('/export', base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } },
      resolve,
    );
    request.on('error', reject);
  });
}

/** An export read whole: its body split into events, checkpoints and the end line. */
export async function readExport(
  base: string,
  params: Readonly<Record<string, string>>,
  bearer?: string,
): Promise<ExportResult> {
  const response = await openExport(base, params, bearer);
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk as string;
  return {
    ...splitNdjson(text),
    status: response.statusCode ?? 0,
    headers: response.headers,
    text,
    trailers: response.trailers,
  };
}

/** An NDJSON export's lines, sorted into events, checkpoints and the end. */
export function splitNdjson(text: string): Pick<ExportResult, 'events' | 'checkpoints' | 'end'> {
  const events: any[] = [];
  const checkpoints: any[] = [];
  let end: any = null;
  for (const line of text.split('\n')) {
    if (line === '' || !line.startsWith('{')) continue;
    const value = JSON.parse(line);
    if ('@end' in value) end = value['@end'];
    else if ('@checkpoint' in value) checkpoints.push(value['@checkpoint']);
    else events.push(value);
  }
  return { events, checkpoints, end };
}
