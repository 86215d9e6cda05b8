// Every domain module the core runs, in start order. One line per domain.
import { channelsModule } from './channels/index.ts';
import type { CoreModule, ModuleEnv } from './module.ts';

export function createModules(env: ModuleEnv): CoreModule[] {
  return [channelsModule(env)];
}
