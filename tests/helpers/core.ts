// A real Core on a real SQLite file in a temp folder, with a controllable clock.
import path from 'node:path';
import { Core } from '../../electron/core/core.ts';
import { startHost, type RunningHost } from '../../electron/core/host.ts';
import type { CoreModule } from '../../electron/core/module.ts';
import { createDeskModules } from '../../electron/core/modules.ts';
import { root, tempDir } from './serve.ts';

export function testCore(options: { dataDir?: string; seedDemo?: boolean; start?: number } = {}) {
  let now = options.start ?? 1_790_000_000_000;
  const core = new Core({
    dataDir: options.dataDir ?? tempDir(),
    resourcesDir: path.join(root, 'resources'),
    version: 'test',
    seedDemo: options.seedDemo ?? false,
    now: () => now,
    log: () => {},
  });
  for (const m of createDeskModules()) m.attach(core);
  return {
    core,
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

/** A real host (Core + HTTP server on a free loopback port, no UI) with the desk (catalog, lineup) and the given domain
 * modules, for route tests. */
export function testHost(modules: CoreModule[], options: { dataDir?: string } = {}): Promise<RunningHost> {
  const dataDir = options.dataDir ?? tempDir();
  return startHost({
    dataDir,
    resourcesDir: path.join(root, 'resources'),
    rendererDir: path.join(dataDir, 'no-ui'),
    version: 'test',
    port: 0,
    banner: false,
    seedDemo: false,
    modules: [...createDeskModules(), ...modules],
    log: () => {},
  });
}
