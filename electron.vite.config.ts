import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { COMMAND_NAMES, IPC } from './shared/protocol/index.ts';

/** The preload's allow-list, baked in at build time so the preload stays a few lines with no schema library inside. */
function protocolNames(): Plugin {
  const id = 'virtual:livecue-protocol-names';
  return {
    name: 'livecue-protocol-names',
    resolveId: (source) => (source === id ? '\0' + id : null),
    load: (source) => (source === '\0' + id ? `export const COMMAND_NAMES = ${JSON.stringify(COMMAND_NAMES)}; export const IPC = ${JSON.stringify(IPC)};` : null),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          // imports are parsed in a worker thread (electron/core/imports/run.ts looks for it beside the bundle)
          'import-worker': resolve(import.meta.dirname, 'electron/core/imports/import-worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [protocolNames()],
    build: {
      outDir: 'out/preload',
      // sandboxed preloads must be one CommonJS file with no imports left
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      emptyOutDir: true,
      // what a LAN tablet or OBS downloads: minified (electron-vite leaves the renderer unminified by default), one chunk
      // per page (App.svelte's dynamic imports)
      minify: true,
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'renderer/index.html'),
        },
      },
    },
  },
});
