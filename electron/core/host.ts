// Starts the core and its server together; used by `serve` and by the Electron main process alike.
import fs from 'node:fs';
import path from 'node:path';
import { Core, type CoreOptions } from './core.ts';
import { CoreServer } from './server/server.ts';
import type { CoreModule, ModuleEnv } from './module.ts';
import { createModules } from './modules.ts';

export interface HostOptions extends CoreOptions {
  port: number;
  host?: string;
  rendererDir: string;
  /** print the start-up banner (default true) */
  banner?: boolean;
  /** module options (e.g. obs URL) and environment; default: process.env and no options */
  moduleEnv?: Partial<ModuleEnv>;
  /** replace the module list (tests): include createDeskModules() (modules.ts) for the catalog and lineup commands */
  modules?: CoreModule[];
}

export interface RunningHost {
  core: Core;
  server: CoreServer;
  url: string;
  stop(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const core = new Core({ ...options, secrets: options.secrets ?? options.moduleEnv?.secrets });
  const modules =
    options.modules ??
    createModules({ env: options.moduleEnv?.env ?? process.env, options: options.moduleEnv?.options ?? {}, secrets: options.moduleEnv?.secrets });
  for (const m of modules) m.attach(core);
  const server = new CoreServer(core, { port: options.port, host: options.host, rendererDir: options.rendererDir });
  for (const m of modules) m.routes?.(server);
  let address;
  try {
    address = await server.listen();
  } catch (error) {
    core.close();
    throw error;
  }
  for (const m of modules) {
    try {
      await m.start?.();
    } catch (error) {
      // a failing domain (OBS away, bad credentials) must never keep the desk from running
      core.log(`livecue: module ${m.name} failed to start: ${(error as Error).message}`);
    }
  }
  // the import worker loads its modules now, not when the first file arrives mid-show
  core.imports.prepare();
  const shownHost = address.host === '0.0.0.0' ? '127.0.0.1' : address.host;
  const url = `http://${shownHost}:${address.port}/`;
  if (options.banner !== false) {
    if (!fs.existsSync(path.join(options.rendererDir, 'index.html'))) {
      console.log('livecue: 界面尚未构建 / UI not built yet — run `npm run build`; the API works meanwhile');
    }
    console.log(`LiveCue ${core.version} 已启动 / serving at ${url}?token=${core.token}`);
    console.log(`  数据目录 data folder: ${core.dataDir}`);
    console.log(`  API token: ${core.token}   (set LIVECUE_TOKEN to choose it)`);
    console.log(`  主播大屏 host display: ${url}?token=${core.token}#/host`);
    if (address.host !== '127.0.0.1' && address.host !== 'localhost') console.log(`  listening on ${address.host} (LAN)`);
    console.log(`LIVECUE_READY ${JSON.stringify({ url, port: address.port, token: core.token })}`);
  }
  return {
    core,
    server,
    url,
    async stop() {
      for (const m of [...modules].reverse()) {
        try {
          await m.stop?.();
        } catch (error) {
          core.log(`livecue: module ${m.name} failed to stop: ${(error as Error).message}`);
        }
      }
      await server.close();
      core.close();
    },
  };
}
