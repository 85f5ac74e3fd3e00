// @ts-check
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The layers, by folder: everything under a feature's `core/`, `src/common/` and
 * `src/webview/contract/` is editor-free and may import only editor-free code; the rest
 * of `src/` (trees, commands, panels, services, `src/vscode/`) is editor glue. A new file
 * takes the rule of the folder it is put in, so nothing has to be listed by name.
 */
const editorFree = ['src/*/core/**', 'src/common/**', 'src/webview/contract/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '**/*.vsix', 'sample-workspace/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': [
        { type: 'core', pattern: editorFree, partialMatch: false },
        { type: 'glue', pattern: ['src/**'], partialMatch: false },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              from: { element: { type: 'core' } },
              disallow: { to: { element: { type: 'glue' } } },
              message: 'Editor-free code (core/, common/, webview/contract/) must not import editor glue (trees, commands, panels, services, src/vscode).',
            },
          ],
        },
      ],
    },
  },
  {
    files: editorFree.map((p) => `${p}/*.ts`),
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Editor-free code (core/, common/, webview/contract/) must not import vscode.' }] }] },
  },
  {
    // The editor tier's runner and the Python extension's stand-in are CommonJS extensions, loaded by the extension host.
    files: ['test/editor/runner/**/*.js', 'test/editor/fake-python/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', performance: 'readonly', fetch: 'readonly' } },
  },
);
