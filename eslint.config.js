import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bin/**', 'eslint.config.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // Tests may use `any` for response bodies.
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Dependency rules (ARCHITECTURE.md).
  {
    files: ['src/telephony/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': boundary([
        {
          group: ['**/voice/**', '**/calls/**', '**/billing/**', '**/webhooks/**', '**/api/**', '**/store/**'],
          message: 'telephony/ takes commands and emits events; it imports no other domain.',
        },
      ]),
    },
  },
  {
    files: ['src/voice/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': boundary([
        {
          group: ['**/telephony/**', '**/calls/**', '**/api/**', '**/billing/**'],
          message: 'voice/ knows audio frames and text, never SIP or RTP.',
        },
      ]),
    },
  },
  {
    files: ['src/store/**/*.ts', 'src/shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': boundary([
        {
          group: [
            '**/api/**',
            '**/calls/**',
            '**/voice/**',
            '**/telephony/**',
            '**/billing/**',
            '**/webhooks/**',
            '**/orgs/**',
          ],
          message: 'store/ and shared/ import no domain module.',
        },
      ]),
    },
  },
  {
    files: [
      'src/calls/**/*.ts',
      'src/billing/**/*.ts',
      'src/webhooks/**/*.ts',
      'src/orgs/**/*.ts',
      'src/voice/**/*.ts',
      'src/telephony/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': boundary([
        {
          group: ['fastify', '@fastify/*', '**/api/**'],
          message: 'Domain modules do not import Fastify or the HTTP layer.',
        },
      ]),
    },
  },
  // Last, so no broader block above overrides it (flat config: the last matching rule setting wins).
  {
    files: ['src/audio/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': boundary([
        {
          group: [
            '**/telephony/**',
            '**/voice/**',
            '**/calls/**',
            '**/api/**',
            '**/store/**',
            '**/billing/**',
            '**/webhooks/**',
            '**/orgs/**',
            '**/agents/**',
            '**/numbers/**',
            'fastify',
            '@fastify/*',
          ],
          message: 'audio/ is neutral (telephony and the voice pipeline both use it): it imports no domain module.',
        },
      ]),
    },
  },
);
