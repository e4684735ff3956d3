import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigDocs } from './renderConfigDocs';

/**
 * Writes schema/auditgraph.config.schema.json and docs/configuration.md from the code; with
 * `--check`, writes nothing and exits 1 when a file differs from what the code generates.
 */
async function writeConfigDocs(check: boolean): Promise<void> {
  const root = path.resolve(__dirname, '..');
  for (const { file, text } of await renderConfigDocs()) {
    const target = path.join(root, file);
    if (check) {
      let current: string | null = null;
      try {
        current = readFileSync(target, 'utf8');
      } catch {
        current = null;
      }
      if (current !== text) {
        console.error(`${file} is not what the code generates: run npm run config:write`);
        process.exitCode = 1;
      }
      continue;
    }
    writeFileSync(target, text);
    console.log(`wrote ${file}`);
  }
}

writeConfigDocs(process.argv.includes('--check')).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
