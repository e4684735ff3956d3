import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

/**
 * The layers of src/ (design.md §6), each above the ones after it: a file may import from its own
 * layer and the layers below, never from one above. `model` is the ground; `main.ts`,
 * `startAuditgraph.ts` and `runEmulators.ts` compose everything.
 */
const LAYERS = [
  ['main.ts', 'startAuditgraph.ts', 'runEmulators.ts', 'checkConfig.ts'],
  ['observability'],
  ['server'],
  ['schema'],
  ['tail', 'export'],
  ['auth'],
  ['config', 'config.ts'],
  ['feed', 'emulators', 'state'],
  ['providers'],
  ['http'],
  ['model'],
];
const layerZones = LAYERS.flatMap((layer, index) =>
  layer.map((target) => ({
    target: `./src/${target}`,
    from: LAYERS.slice(0, index)
      .flat()
      .map((above) => `./src/${above}`),
    message: `${target} is below them in the layers of design.md §6; pass what it needs down`,
  })),
).filter((zone) => zone.from.length > 0);

/** The feed and the emulators are siblings: neither imports the other. */
const siblingZones = [
  { target: './src/feed', from: ['./src/emulators', './src/providers', './src/http'] },
  { target: './src/emulators', from: ['./src/feed', './src/http'] },
];

/** Each kind's folder under src/providers/ stands alone; shared folders serve them all. */
const providerFolders = readdirSync(new URL('./src/providers', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const kindFolders = providerFolders.filter(
  (name) => name !== 'shared' && name !== 'cache' && !name.endsWith('-shared'),
);
const kindZones = providerFolders.map((folder) => ({
  target: `./src/providers/${folder}`,
  from: kindFolders.filter((kind) => kind !== folder).map((kind) => `./src/providers/${kind}`),
  message: 'a kind never imports another kind; share code through a -shared folder',
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'src/schema/generated/**',
      'coverage/**',
      '*.js',
      '*.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
      'import/extensions': ['.ts', '.tsx', '.js'],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
      'import/no-restricted-paths': [
        'error',
        { zones: [...layerZones, ...siblingZones, ...kindZones] },
      ],
    },
  },
  {
    // The viewer is browser code, bundled by scripts/buildViewer.ts: it reaches the service only
    // through its public API, never by importing src/.
    files: ['viewer/**/*.ts', 'viewer/**/*.tsx'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [{ target: './viewer', from: './src', message: 'the viewer uses the public API' }],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // GraphQL responses in tests are read as JSON; their shape is what the test asserts.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
