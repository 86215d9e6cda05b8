// ESLint flat config: typescript-eslint + eslint-plugin-svelte, and LiveCue's layer rules (scripts/eslint-boundaries.js,
// table in docs/architecture.md). Only rules the code passes are on; `npm run lint` runs in `npm test`.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import boundaries from './scripts/eslint-boundaries.js';

/** Cross-domain imports that exist today. Each is a debt with the change that removes it (issue #15, "Core = the
 * command bus" / "Domain APIs instead of cross-domain SQL"); a new one fails the lint. Paths are repo-relative. */
const exceptions = [];

export default ts.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.data/**', 'tests/fixtures/**'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
    plugins: { livecue: boundaries },
    rules: {
      'livecue/boundaries': ['error', { exceptions }],
      // `_`-prefixed names are deliberately unused (handler signatures, destructuring to drop a field)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts', 'resources/overlay/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Views show the server's time: desk.now() is Date.now() corrected by the snapshot's serverTime (desk.svelte.ts).
    // Elapsed UI time (a drag, a debounce) uses performance.now().
    files: ['renderer/src/**/*.svelte', 'renderer/src/**/*.ts'],
    ignores: ['renderer/src/lib/desk.svelte.ts', 'renderer/src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'use desk.now() (server-corrected clock) or performance.now() for elapsed time' },
      ],
    },
  },
  {
    // Tests, fakes and benches read JSON answers of the API loosely; product code stays without `any`.
    files: ['tests/**', 'bench/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // These strip C0 control characters from operator/outside text on purpose (the regex is the sanitizer).
    files: ['shared/protocol/fields.ts', 'electron/core/channels/parse.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // The rule cannot tell a throwaway local `new Date(v)` / `new URLSearchParams(...)` (formatters, navigate()) from a
    // mutable instance kept in state; LiveCue keeps no such instance in state (state holds epoch ms and strings).
    files: ['**/*.svelte', '**/*.svelte.ts'],
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  {
    // KNOWN: Push.svelte syncs `link` with $effect; issue #12's branch rewrites that page. Remove after the merge.
    files: ['renderer/src/pages/Push.svelte'],
    rules: { 'svelte/prefer-writable-derived': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // shared/ runs in the core and in the browser: no DOM either (imports are checked by livecue/boundaries)
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'HTMLElement', 'Element'].map((name) => ({
          name,
          message: 'shared/ runs in the core too: no DOM',
        })),
        ...['process', 'Buffer', '__dirname', 'require'].map((name) => ({ name, message: 'shared/ runs in the browser too: no Node' })),
      ],
    },
  },
);
