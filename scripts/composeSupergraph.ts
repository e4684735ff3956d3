import { composeWithUsers } from '../test/support/usersSubgraph';

/**
 * `npm run federation:compose`: composes auditgraph's SDL with the sample users subgraph of the
 * tests and prints the supergraph SDL (or the composition errors), the example docs/federation.md
 * quotes. The subgraph URLs in it are placeholders.
 */
function main(): void {
  const result = composeWithUsers();
  if (result.errors !== undefined) {
    for (const error of result.errors) process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  for (const hint of result.hints) process.stderr.write(`hint: ${hint.toString()}\n`);
  process.stdout.write(result.supergraphSdl);
}

main();
