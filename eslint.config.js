// Lint: typescript-eslint's recommended rules plus two contracts of DESIGN.md —
// determinism (nothing outside src/tunnel, src/live, src/bench and src/cli reads ambient time or
// randomness) and layering (docs/design.md: what each folder may import).
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

/** An import rule that forbids the named sibling folders of src/ (any depth of `../`). */
function forbid(folders, why) {
  const group = folders.flatMap((f) => [`../${f}/*`, `../../${f}/*`, `../../../${f}/*`, `**/src/${f}/*`]);
  return {
    'no-restricted-imports': ['error', { patterns: [{ group, message: why }] }],
  };
}

// The pure folders hold the one model both clocks share: they never reach the I/O shells or the
// composition root. Type-only imports are checked too: a type from tunnel/ would still tie the model to it.
const PURE = ['kernel', 'model', 'relay', 'policy', 'agent', 'tokens', 'metrics', 'scenario', 'sim', 'report'];
const SHELLS = ['tunnel', 'live', 'run', 'cli', 'bench'];

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
  { files: ['src/**/*.ts'], ignores: ['src/tunnel/**', 'src/live/**', 'src/bench/**', 'src/cli/**'], rules: ambient },
  {
    files: PURE.map((f) => `src/${f}/**/*.ts`),
    rules: forbid(SHELLS, 'A pure folder imports nothing from tunnel/, live/, run/, cli/ or bench/ (docs/design.md, layering).'),
  },
  {
    // The real tunnel is a product of its own (`tunnelsim relay` / `connect`): no simulation, no live driver.
    files: ['src/tunnel/**/*.ts'],
    rules: forbid(['live', 'run', 'cli', 'bench', 'sim', 'agent'], 'tunnel/ imports the relay core and nothing of the live driver, the simulator or the composition root (docs/design.md, layering).'),
  },
  {
    files: ['src/live/**/*.ts'],
    rules: forbid(['run', 'cli', 'bench'], 'live/ is driven by run/; it never imports run/, cli/ or bench/ (docs/design.md, layering).'),
  },
  { files: ['src/run/**/*.ts'], rules: forbid(['cli', 'bench'], 'run/ is the composition root under cli/ and bench/ (docs/design.md, layering).') },
  { files: ['src/bench/**/*.ts'], rules: forbid(['cli'], 'bench/ runs the CLI as a child process, never imports it (docs/design.md, layering).') },
);
