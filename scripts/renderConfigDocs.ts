import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderConfigurationMarkdown } from '../src/config/renderConfigurationMarkdown';
import { CONFIG_SCHEMA_PATH, toConfigJsonSchema } from '../src/config/toConfigJsonSchema';

/** The generated config docs, as `npm run config:write` writes them and the test compares them. */
export const CONFIG_DOCS_PATH = 'docs/configuration.md';

export async function renderConfigDocs(): Promise<{ file: string; text: string }[]> {
  const root = path.resolve(__dirname, '..');
  const formatted = async (file: string, text: string) => {
    const filepath = path.join(root, file);
    const options = (await resolveConfig(filepath)) ?? {};
    return { file, text: await format(text, { ...options, filepath }) };
  };
  return [
    await formatted(CONFIG_SCHEMA_PATH, JSON.stringify(toConfigJsonSchema(), null, 2)),
    await formatted(CONFIG_DOCS_PATH, renderConfigurationMarkdown()),
  ];
}
