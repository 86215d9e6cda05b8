// A ReviewModule for tests: wired to a MetricsModule's API as modules.ts wires it, or, for tests without a metrics
// module, to a metrics API over the database of the core it is attached to.
import type { Core } from '../../electron/core/core.ts';
import { createMetricsApi } from '../../electron/core/metrics/api.ts';
import type { MetricsModule } from '../../electron/core/metrics/module.ts';
import { ReviewModule } from '../../electron/core/review/module.ts';

export function reviewModule(metrics?: MetricsModule): ReviewModule {
  if (metrics) return new ReviewModule({ metrics: metrics.api });
  let core: Core | undefined;
  const review = new ReviewModule({
    metrics: createMetricsApi(() => {
      if (!core) throw new Error('reviewModule: attach it to a core first');
      return core.db;
    }),
  });
  const attach = review.attach.bind(review);
  review.attach = (c: Core) => {
    core = c;
    attach(c);
  };
  return review;
}
