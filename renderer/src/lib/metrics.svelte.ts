// Live metrics for every view: the latest 1 Hz tick per session (from the snapshot, then from 'metrics.tick' events)
// and the producer's alert thresholds. Chart data is not kept here: the dashboard holds it in plain arrays.
import type { AlertConfig } from '../../../shared/metrics/formulas.ts';
import { DEFAULT_ALERTS } from '../../../shared/metrics/formulas.ts';
import type { MetricsTick } from '../../../shared/protocol/metrics.ts';
import { getDesk, type Desk } from './desk.svelte.ts';

export class Metrics {
  ticks = $state.raw<Record<number, MetricsTick>>({});
  alerts = $state.raw<AlertConfig>(DEFAULT_ALERTS);
  constructor(desk: Desk) {
    desk.onEvent((e) => {
      if (e.type === 'snapshot') {
        const ext = e.snapshot.ext.metrics;
        if (ext) {
          this.alerts = ext.alerts;
          this.ticks = Object.fromEntries(ext.ticks.map((t) => [t.sessionId, t]));
        }
      } else if (e.type === 'metrics.tick') {
        this.ticks = { ...this.ticks, [e.tick.sessionId]: e.tick };
      } else if (e.type === 'metrics.alertsChanged') {
        this.alerts = e.config;
      }
    });
  }
}

export const createMetrics = (desk: Desk): Metrics => new Metrics(desk);
/** this desk's metrics store (call during component initialisation) */
export const getMetrics = (): Metrics => getDesk().store(createMetrics);

// figures as the presentation module shows them (yuan = a money figure; a product's price goes through priceDisplay)
export { money as yuan, num, pct } from './format.ts';
