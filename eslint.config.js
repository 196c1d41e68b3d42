// ESLint for the whole repository (flat config): JavaScript and typescript-eslint's recommended
// rules everywhere, React's hooks rules in the web app, and the project's own layering rules in
// the server (STYLE.md): only config/ reads process.env, routes never import app.ts.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'web/src/api/schema.d.ts', '**/.tmp/**', '.tools/**', 'coverage/**', 'e2e/test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      // Unused names are bugs or dead code; a leading underscore marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // `any` is allowed where a library's types force it (Fastify generics); prefer `unknown`.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only server/src/config/ reads process.env (STYLE.md): pass settings through the constructor.' }],
    },
  },
  {
    files: ['server/src/routes/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../app.ts', '../app'], message: 'Routes import their helpers from http/kit.ts; app.ts imports every route.' }, { group: ['../repositories/*'], message: 'Routes call services, not repositories.' }] }],
    },
  },
  {
    files: ['server/src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['drizzle-orm', 'drizzle-orm/*'], message: 'Services hold no SQL: put the query in a repository.' }] }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Services do no HTTP: put the call in an adapter.' }],
    },
  },
);
