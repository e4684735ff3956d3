import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../../src/config';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('the README', () => {
  it('keeps the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it.each(ENVIRONMENT_VARIABLES.map((variable) => [variable.name, variable] as const))(
    'documents %s exactly as config.ts reads it',
    (_name, variable) => {
      const row = `| \`${variable.name}\` | ${variable.description} | ${variable.default === null ? '—' : `\`${variable.default}\``} |`;
      expect(readme).toContain(row);
    },
  );

  it('documents no variable that config.ts does not read', () => {
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(
      ENVIRONMENT_VARIABLES.map((variable) => variable.name).sort(),
    );
  });
});
