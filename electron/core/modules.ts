// Every domain module the core runs, in start order. One line per domain.
import type { CoreModule, ModuleEnv } from './module.ts';
import { createMetricsModule } from './metrics/module.ts';

export function createModules(env: ModuleEnv): CoreModule[] {
  return [
    createMetricsModule(env),
  ];
}
