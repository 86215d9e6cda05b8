// Every domain module the core runs, in start order. One line per domain (plus the wiring between domains).
import type { CoreModule, ModuleEnv } from './module.ts';
import { createMetricsModule } from './metrics/module.ts';
import { PushModule, pushOptionsFromEnv } from './push/module.ts';

export function createModules(env: ModuleEnv): CoreModule[] {
  const metrics = createMetricsModule(env);
  // push lift = new viewers per minute after a push vs before, from the metrics rollups
  const push = new PushModule({ ...pushOptionsFromEnv(env.env), newViewersPerMinute: (s, from, to) => metrics.newViewersPerMinute(s, from, to) });
  return [metrics, push];
}
