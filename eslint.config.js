// Lint: typescript-eslint's recommended rules plus the determinism contract of DESIGN.md —
// nothing outside src/live and src/cli may read ambient time or randomness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ambient = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Inject a Clock (determinism contract).' },
    { object: 'Math', property: 'random', message: 'Use a keyed Rng stream (determinism contract).' },
    { object: 'performance', property: 'now', message: 'Inject a Clock (determinism contract).' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Schedule on the kernel (determinism contract).' },
    { name: 'setInterval', message: 'Schedule on the kernel (determinism contract).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/live/**', 'src/cli/**'], rules: ambient },
);
