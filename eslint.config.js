import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ENV_MESSAGE = 'process.env is read only in config/ (main.ts passes it to loadConfig): inject Config instead.';
const CLOCK_MESSAGE =
  'Wall-clock time comes from the injected Clock (shared/clock.ts): use clock.nowMs()/nowIso()/monotonicMs().';
const RANDOM_MESSAGE =
  'Randomness comes from the injected IdGenerator (shared/ids.ts): use ids.uuid()/token()/random().';

/** Restrictions of rule 6, each with the only files allowed to do it. */
const ENV = {
  allowedIn: ['src/config/**/*.ts', 'src/main.ts', 'src/cli/main.ts'],
  properties: [{ object: 'process', property: 'env', message: ENV_MESSAGE }],
  syntax: [],
  imports: [
    { name: 'node:process', importNames: ['env'], message: ENV_MESSAGE },
    { name: 'process', importNames: ['env'], message: ENV_MESSAGE },
  ],
};
const RANDOM_NAMES = [
  'randomBytes',
  'randomUUID',
  'randomInt',
  'randomFill',
  'randomFillSync',
  'getRandomValues',
  'webcrypto',
];
const CLOCK_AND_RANDOM = {
  allowedIn: ['src/shared/clock.ts', 'src/shared/ids.ts'],
  properties: [
    { object: 'Date', property: 'now', message: CLOCK_MESSAGE },
    { object: 'performance', property: 'now', message: CLOCK_MESSAGE },
    { object: 'process', property: 'hrtime', message: CLOCK_MESSAGE },
    { object: 'Math', property: 'random', message: RANDOM_MESSAGE },
    ...RANDOM_NAMES.map((property) => ({ object: 'crypto', property, message: RANDOM_MESSAGE })),
  ],
  syntax: [
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CLOCK_MESSAGE },
    { selector: "CallExpression[callee.name='Date']", message: CLOCK_MESSAGE },
  ],
  imports: [
    ...['node:crypto', 'crypto'].map((name) => ({ name, importNames: RANDOM_NAMES, message: RANDOM_MESSAGE })),
    ...['node:perf_hooks', 'perf_hooks'].map((name) => ({
      name,
      importNames: ['performance'],
      message: CLOCK_MESSAGE,
    })),
  ],
};
const RESTRICTIONS = [ENV, CLOCK_AND_RANDOM];
/** Tests, test support and benchmarks may read the clock and the environment. */
const EXEMPT = ['**/*.test.ts', 'src/**/testing/**'];

/**
 * The three rules with every restriction in `list` merged into one option each. An empty list turns
 * the rule off: a severity without options would keep the earlier block's options.
 */
function restrictionRules(list) {
  const properties = list.flatMap((r) => r.properties);
  const syntax = list.flatMap((r) => r.syntax);
  const paths = list.flatMap((r) => r.imports);
  return {
    'no-restricted-properties': properties.length ? ['error', ...properties] : 'off',
    'no-restricted-syntax': syntax.length ? ['error', ...syntax] : 'off',
    'no-restricted-imports': paths.length ? ['error', { paths }] : 'off',
  };
}

/** One block for src/, then one per restriction for the files it allows (the other restrictions still apply). */
function restrictionBlocks() {
  return [
    { files: ['src/**/*.ts'], ignores: EXEMPT, rules: restrictionRules(RESTRICTIONS) },
    ...RESTRICTIONS.map((allowed) => ({
      files: allowed.allowedIn,
      ignores: EXEMPT,
      rules: restrictionRules(RESTRICTIONS.filter((r) => r !== allowed)),
    })),
  ];
}

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
  // Rule 6 (ARCHITECTURE.md): environment, wall-clock time and randomness. Import boundaries and
  // cycles are checked by dependency-cruiser (.dependency-cruiser.cjs). A later block for the same rule
  // REPLACES an earlier one's options, so each block below lists every restriction that applies to its
  // files: the exempt files get their own block with the other restrictions only.
  ...restrictionBlocks(),
);
