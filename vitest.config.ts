import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Safety nets against hangs, not verdicts on speed: on a shared 2-core machine with another suite
    // running beside this one, the CPU-bound tests (sharded reference runs, calibration passes) take
    // 2-3x their idle time, so a limit near their idle time would fail them for the machine's load.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
