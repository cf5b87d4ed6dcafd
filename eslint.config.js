import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import local from './eslint/layering.js'
import { importX, createNodeResolver } from 'eslint-plugin-import-x'

/*
 * Layering (docs/architecture.md, "The layering rule"), checked here so the house keeps its shape — every
 * import resolved to a path first, so a relative '../bridge/server.ts' counts as much as any other
 * (eslint/layering.js):
 *   shared/        imports nothing of ours and nothing Node-only (it runs in the renderer too)
 *   electron/core  imports only shared/ — never `electron`, never an adapter
 *   electron/bridge, electron/cli: core and shared, never `electron`
 *   electron/main, electron/preload: the only places that may import `electron`
 *   renderer/      imports only shared/
 */
export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression[callee.name="eval"]', message: 'No eval.' },
      ],
    },
  },
  {
    // One rule for every layer: it resolves each import to a path first (see eslint/layering.js).
    plugins: { local },
    rules: { 'local/layering': 'error' },
  },
  {
    // No import cycles (docs/architecture.md): a cycle lets module initialisation order decide whether a binding
    // exists yet. import-x follows value imports only; tests/unit/layering.test.ts also counts type-only ones.
    // Without the parsers entry import-x cannot read .ts files and reports nothing.
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // The classic hook rules; the compiler-oriented ones flag ordinary async loading in effects.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
)
