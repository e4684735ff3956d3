import { generateApiKey } from '../src/auth/generateApiKey';
import { hashApiKey } from '../src/auth/hashApiKey';

/**
 * `npm run auth:hash-key`: prints a new API key and its SHA-256, the hash being what goes into
 * the config. With a key on standard input (`npm run auth:hash-key < key.txt`), prints that key's
 * hash instead, without echoing the key.
 */
async function main(): Promise<void> {
  const given = process.stdin.isTTY ? '' : (await readStdin()).replace(/\r?\n$/, '');
  const key = given === '' ? generateApiKey() : given;
  const sha256 = hashApiKey(key);
  const lines =
    given === ''
      ? [`key:    ${key}`, '        (give it to the client; it is not stored anywhere)']
      : [];
  lines.push(
    `sha256: ${sha256}`,
    `config: auth: { apiKeys: [{ id: my-client, sha256: '${sha256}', sources: ['*'] }] }`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
