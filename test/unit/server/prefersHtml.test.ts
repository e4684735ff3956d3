import { acceptsGzip, prefersHtml } from '../../../src/server/prefersHtml';
import { BROWSER_ACCEPT } from './httpTestClient';

describe('prefersHtml', () => {
  it.each<[string, string | undefined, boolean]>([
    ['a browser navigating', BROWSER_ACCEPT, true],
    ['Safari', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html alone', 'text/html', true],
    ['upper case', 'TEXT/HTML', true],
    ['no Accept header', undefined, false],
    ['curl', '*/*', false],
    ['a GraphQL client', 'application/graphql-response+json, application/json;q=0.9', false],
    ['JSON first, HTML as good', 'application/json, text/html', false],
    ['HTML weighted below JSON', 'text/html;q=0.5, application/json', false],
    ['HTML weighted above JSON', 'text/html, application/json;q=0.5', true],
    ['HTML refused', 'text/html;q=0, */*', false],
    ['text/* only', 'text/*', false],
    ['garbage', ';;;,,q=', false],
  ])('%s: %s → %s', (_name, accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});

describe('acceptsGzip', () => {
  it.each<[string | undefined, boolean]>([
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['GZIP', true],
    ['*', true],
    ['identity', false],
    ['gzip;q=0', false],
    ['gzip;q=0, *', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (acceptEncoding, expected) => {
    expect(acceptsGzip(acceptEncoding)).toBe(expected);
  });
});
