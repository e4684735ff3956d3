import { gunzipSync } from 'node:zlib';
import { renderGraphiqlPage } from '../../../src/server/renderGraphiqlPage';

describe('renderGraphiqlPage', () => {
  it('renders the page, its gzip and a validator for each', async () => {
    const page = await renderGraphiqlPage({ endpoint: '/graphql', title: 'auditgraph' });
    expect(page.identity.toString('utf8')).toContain('<title>auditgraph</title>');
    expect(gunzipSync(page.gzip).equals(page.identity)).toBe(true);
    expect(page.identityEtag).toMatch(/^"[\w-]{27}"$/);
    expect(page.gzipEtag).toBe(`${page.identityEtag.slice(0, -1)}-gz"`);
  });

  it('gives the same validator to the same page, and another to another page', async () => {
    const [a, b, c] = await Promise.all([
      renderGraphiqlPage({ endpoint: '/graphql', defaultQuery: '{ a }' }),
      renderGraphiqlPage({ endpoint: '/graphql', defaultQuery: '{ a }' }),
      renderGraphiqlPage({ endpoint: '/graphql', defaultQuery: '{ b }' }),
    ]);
    expect(a.identityEtag).toBe(b.identityEtag);
    expect(a.identityEtag).not.toBe(c.identityEtag);
  });

  it.each([
    ['a default query that closes the script', { defaultQuery: '# </SCRIPT>' }, 'defaultQuery'],
    ['a title that opens a comment', { title: 'a <!-- b' }, 'title'],
  ])('refuses %s', async (_name, options, key) => {
    await expect(renderGraphiqlPage({ endpoint: '/graphql', ...options })).rejects.toThrow(
      `GraphiQL option ${key} must not contain "</script" or "<!--"`,
    );
  });
});
