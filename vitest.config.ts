import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // SQLite files, child processes and real OBS: keep files from fighting over the 2 cores
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ['renderer/src/**/*.dom.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        // component tests: Svelte components mounted in a DOM (happy-dom) on a fake Api (renderer/src/test/)
        extends: true,
        plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
        // Svelte's client runtime (mount), not its server build: https://svelte.dev/docs/svelte/testing
        resolve: { conditions: ['browser'] },
        test: {
          name: 'dom',
          include: ['renderer/src/**/*.dom.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
