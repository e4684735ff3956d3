import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderUnconfirmedMarkdown } from '../src/emulators/renderUnconfirmedMarkdown';
import { EMULATOR_KINDS } from '../src/emulators/unconfirmedChoices';

/** Writes each emulator's UNCONFIRMED.md from the choices table in its folder. */
async function writeUnconfirmedMarkdown(): Promise<void> {
  for (const kind of EMULATOR_KINDS) {
    const file = path.resolve(__dirname, '../src/emulators', kind, 'UNCONFIRMED.md');
    const options = (await resolveConfig(file)) ?? {};
    writeFileSync(
      file,
      await format(renderUnconfirmedMarkdown(kind), { ...options, filepath: file }),
    );
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

writeUnconfirmedMarkdown().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
