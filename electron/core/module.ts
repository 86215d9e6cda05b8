// A domain plugged into the core (obs, metrics, push …). The host attaches every module to the core, lets it add routes
// to the server, starts it once the server listens, and stops it before the database closes.
import type { Core } from './core.ts';
import type { CoreServer } from './server/server.ts';
import type { SecretStore } from './secrets.ts';

export interface CoreModule {
  readonly name: string;
  /** register command handlers and snapshot parts; runs before the server exists */
  attach(core: Core): void;
  /** add HTTP routes / upgrade paths */
  routes?(server: CoreServer): void;
  /** start background work (connections, timers); the server is listening */
  start?(): void | Promise<void>;
  /** stop background work; must not throw */
  stop?(): void | Promise<void>;
}

export interface ModuleEnv {
  /** process environment, for serve-mode settings such as --obs or LIVECUE_WECHAT_* */
  env: NodeJS.ProcessEnv;
  /** command-line options a module may read (e.g. obs: "ws://127.0.0.1:4455") */
  options: Record<string, string | undefined>;
  /** where secrets rest (Electron: safeStorage); default a 0600 file in the data folder */
  secrets?: SecretStore;
}
