import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// The house rules, enforced rather than remembered.
const appPatterns = [{ group: ['@outpost/central', '@outpost/store-agent', '**/apps/**'], message: 'packages/shared is the contract and imports no app.' }];
const centralPaths = [{ name: 'electron', message: 'Central never imports electron.' }];
const centralPatterns = [{ group: ['@outpost/store-agent', '**/store-agent/**'], message: 'Central never imports the agent.' }];

// Central is organised by capability: every folder of apps/central/src is one (sync/, inventory/, erp/, ...), and
// one capability uses another only through that one's index.ts. The entry points at the top of src/ (app, api,
// server, cli, config, index) wire capabilities together and also go through their index.ts; no capability
// imports an entry point, and platform/ (the plumbing under them all) imports no capability. Deep imports of
// central from test/ and bench/ stay allowed (they test the parts).
const CENTRAL = 'apps/central/src';
const capabilities = readdirSync(new URL(`./${CENTRAL}`, import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const ENTRY_POINTS = ['app', 'api', 'server', 'cli', 'config', 'index'];
const internalsOf = (caps, prefix) => ({
  regex: `^${prefix}(${caps.join('|')})/(?!index\\.js$)`,
  message: "Another capability's internals: import what it offers from its index.ts (export it there if it is missing).",
});
const boundaries = [
  {
    files: [`${CENTRAL}/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths: centralPaths, patterns: [...centralPatterns, internalsOf(capabilities, '\\./')] }] },
  },
  ...capabilities.map((cap) => ({
    files: [`${CENTRAL}/${cap}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: centralPaths,
          patterns: [
            ...centralPatterns,
            cap === 'platform'
              ? { regex: `^(\\.\\./)+(${capabilities.filter((c) => c !== cap).join('|')})/`, message: 'platform/ is the plumbing under every capability and imports none of them.' }
              : internalsOf(capabilities.filter((c) => c !== cap), '(\\.\\./)+'),
            { regex: `^(\\.\\./)+(${ENTRY_POINTS.join('|')})\\.js$`, message: 'A capability never imports an entry point of central (they import capabilities).' },
          ],
        },
      ],
    },
  })),
];

const importSettings = {
  'import-x/extensions': ['.ts', '.js'],
  'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
  'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/drizzle/**', '.data/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  // Async mistakes the compiler lets through: a promise nobody awaits (its rejection is lost, its work races the
  // next step) and a promise handed where a plain callback is expected. Type-aware, so TypeScript files only.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // No import cycles in product code: a cycle makes the load order decide what is defined (type-only imports do not
  // count, they vanish at runtime).
  {
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: importSettings,
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // Product source never imports test/ (tests beside the code may: they use test/support).
  {
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: importSettings,
    rules: { 'import-x/no-restricted-paths': ['error', { zones: ['./packages', './apps'].map((target) => ({ target, from: './test', message: 'Product source never imports test/.' })) }] },
  },
  {
    files: ['packages/shared/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: appPatterns }] },
  },
  {
    files: ['apps/store-agent/**'],
    ignores: ['apps/store-agent/src/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only apps/store-agent/src/electron may import electron.' }],
          patterns: [{ group: ['@outpost/central', '**/central/**'], message: 'The agent never imports central.' }],
        },
      ],
    },
  },
  {
    // The desktop shell runs the engine through its public entry, like any other embedder.
    files: ['apps/store-agent/src/electron/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./core/(?!index\\.js$)', message: "Import the engine from '../core/index.js', its public entry." }] }] },
  },
  {
    files: ['apps/central/**'],
    rules: { 'no-restricted-imports': ['error', { paths: centralPaths, patterns: centralPatterns }] },
  },
  ...boundaries,
);
