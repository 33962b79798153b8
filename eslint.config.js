// ESLint flat config. Browser code in www/ is plain ES modules; scripts/ and tests/ run in Node.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    // Generated or third-party code.
    ignores: ['www/pkg/**', 'target/**', 'node_modules/**', 'test-results/**', 'screenshots/**'],
  },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['www/**/*.js', 'examples/**/*.js'], // the course page's script runs in the browser too
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['scripts/**/*.mjs', 'tests/**/*.mjs', '*.js', '*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // End-to-end tests are Node code, but the callbacks they pass to page.evaluate() run in the
    // page, so they may name window and document too. Fixture scripts run in the browser.
    files: ['tests/e2e/**/*.mjs', 'tests/e2e/**/*.js', 'scripts/bench-browser.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
