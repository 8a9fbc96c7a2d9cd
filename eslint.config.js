import tseslint from 'typescript-eslint';

// The house rules of DESIGN §1, enforced rather than remembered.
const appPatterns = [{ group: ['@outpost/central', '@outpost/store-agent', '**/apps/**'], message: 'packages/shared is the contract and imports no app.' }];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/drizzle/**', '.data/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
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
    files: ['apps/central/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Central never imports electron.' }],
          patterns: [{ group: ['@outpost/store-agent', '**/store-agent/**'], message: 'Central never imports the agent.' }],
        },
      ],
    },
  },
);
