// Every domain module the core runs, in start order. One line per domain.
import type { CoreModule, ModuleEnv } from './module.ts';
import { PushModule, pushOptionsFromEnv } from './push/module.ts';

export function createModules(env: ModuleEnv): CoreModule[] {
  return [new PushModule(pushOptionsFromEnv(env.env))];
}
