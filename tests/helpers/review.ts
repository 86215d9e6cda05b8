// A ReviewModule for tests, wired as modules.ts wires it: to a MetricsModule's API when one is given, else to a metrics
// API over the database of the core it is attached to; the push, obs, lineup and automation APIs always over that core
// (their modules need not run for the review to read their rows).
import type { Core } from '../../electron/core/core.ts';
import { createAutomationApi } from '../../electron/core/automation/api.ts';
import { createLineupApi } from '../../electron/core/lineup/api.ts';
import type { MetricsApi } from '../../electron/core/metrics-api.ts';
import { createMetricsApi } from '../../electron/core/metrics/api.ts';
import type { MetricsModule } from '../../electron/core/metrics/module.ts';
import { createObsApi } from '../../electron/core/obs/api.ts';
import { createPushApi } from '../../electron/core/push/api.ts';
import { type ReviewDeps, ReviewModule } from '../../electron/core/review/module.ts';

/** Every API the review reads, over the core `core()` returns (read at each call); metrics' from `metrics` if given. */
export function reviewDeps(core: () => Core, metrics?: MetricsApi): ReviewDeps {
  const db = () => core().db;
  return {
    metrics: metrics ?? createMetricsApi(db),
    push: createPushApi(db),
    obs: createObsApi(db),
    lineup: createLineupApi(() => core().sessions),
    automation: createAutomationApi(db),
  };
}

export function reviewModule(metrics?: MetricsModule): ReviewModule {
  let core: Core | undefined;
  const review = new ReviewModule(
    reviewDeps(() => {
      if (!core) throw new Error('reviewModule: attach it to a core first');
      return core;
    }, metrics?.api),
  );
  const attach = review.attach.bind(review);
  review.attach = (c: Core) => {
    core = c;
    attach(c);
  };
  return review;
}
