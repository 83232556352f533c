import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist', '.scratch', 'public', 'node_modules', 'test-results', 'playwright-report', 'e2e/fixtures'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Stores hold state and call services; the tensors stay in src/ml (types may be named).
    files: ['src/state/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*'],
              allowTypeImports: true,
              message: 'Stores must not run tfjs; put the work behind a service in src/ml.',
            },
          ],
        },
      ],
    },
  },
  {
    // Components render state; tfjs stays in src/ml.
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tensorflow/*'], message: 'Components must not import tfjs; go through a store.' }] },
      ],
    },
  },
  {
    // Synchronous reads can return zeros and lose the device on WebGPU.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(dataSync|arraySync|bufferSync)$/]',
          message: 'Use await tensor.data() / array(): synchronous reads break on WebGPU.',
        },
      ],
    },
  },
  {
    // Node scripts; code they pass to page.evaluate runs in the browser.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
