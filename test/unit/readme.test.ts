import { readFileSync } from 'node:fs';
import { capabilitiesOf } from '../support/planKindPushdown';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../../src/config/environmentVariables';
import { HTTP_CLIENT_DEFAULTS } from '../../src/http/createHttpClient';
import { SOURCE_KIND_NAMES } from '../../src/providers/sourceKinds';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
/** Table rows with their column padding folded, as Prettier may align them. */
const rows = readme.split('\n').map((line) => line.replace(/ {2,}/g, ' ').trim());
/** Prose with its line breaks folded, so a phrase may wrap anywhere. */
const fold = (text: string) => text.replace(/\s+/g, ' ');
const sdl = readFileSync(join(__dirname, '..', '..', 'schema', 'auditgraph.graphql'), 'utf8');

describe('the README', () => {
  it('keeps the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it.each(ENVIRONMENT_VARIABLES.map((variable) => [variable.name, variable] as const))(
    'documents %s exactly as loadConfig reads it',
    (_name, variable) => {
      const row = `| \`${variable.name}\` | ${variable.description} | ${variable.default === null ? '—' : `\`${variable.default}\``} |`;
      expect(rows).toContain(row);
    },
  );

  it('documents no variable that loadConfig does not read', () => {
    const documented = rows.flatMap((row) => /^\| `([A-Z_]+)` \|/.exec(row)?.[1] ?? []);
    expect(documented.sort()).toEqual(
      ENVIRONMENT_VARIABLES.map((variable) => variable.name).sort(),
    );
  });

  it('bounds retryAfterSeconds after a 429 as the HTTP client does, here and in the schema', () => {
    const seconds = HTTP_CLIENT_DEFAULTS.maxRateLimitPauseMs / 1000;
    expect(fold(readme)).toContain(`until the hint has passed, but for ${seconds} s at most`);
    expect(fold(sdl)).toContain(`but never longer than ${seconds} seconds`);
  });

  it.each(SOURCE_KIND_NAMES)(
    'shows the pushdown of %s exactly as the table in the code',
    (kind) => {
      const cells = Object.entries(capabilitiesOf(kind)).map(
        ([field, capability]) =>
          `${field} → \`${capability.upstream}\`${capability.level === 'narrowed' ? ' (narrowed)' : ''}${capability.condition ? `, ${capability.condition}` : ''}`,
      );
      expect(rows).toContain(`| \`${kind}\` | ${cells.join('; ')} |`);
    },
  );
});
