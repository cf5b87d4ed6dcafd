import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

/*
 * Layering (ARCHITECTURE.md), checked here so the house keeps its shape:
 *   shared/        imports nothing of ours and nothing Node-only (it runs in the renderer too)
 *   electron/core  imports only shared/ — never `electron`, never an adapter
 *   electron/bridge, electron/cli: core and shared, never `electron`
 *   electron/main, electron/preload: the only places that may import `electron`
 *   renderer/      imports only shared/
 */
const noElectron = {
  name: 'electron',
  message: 'Only electron/main and electron/preload may import electron.',
}
const adapters = [
  '**/electron/main/**',
  '**/electron/preload/**',
  '**/electron/bridge/**',
  '**/electron/cli/**',
]

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
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['node:*'], message: 'shared/ runs in the renderer: no Node modules.' },
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports nothing of ours.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'electron/core/**/*.ts',
      'electron/bridge/**/*.ts',
      'electron/cli/**/*.ts',
      'tests/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['**/renderer/**'], message: 'The core never reaches into the UI.' }],
        },
      ],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: adapters, message: 'The core knows no adapter.' },
            { group: ['**/renderer/**'], message: 'The core never reaches into the UI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // The classic hook rules; the compiler-oriented ones flag ordinary async loading in effects.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node.' },
            {
              group: ['**/electron/**'],
              message: 'The renderer talks to the core only through the contract.',
            },
          ],
        },
      ],
    },
  },
)
