// Every domain module the core runs, in start order. One line per domain.
import type { CoreModule, ModuleEnv } from './module.ts';

export function createModules(_env: ModuleEnv): CoreModule[] {
  return [];
}
