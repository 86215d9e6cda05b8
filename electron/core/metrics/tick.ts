// The 1 Hz tick: every live session's figures, the open segment, alerts, the online points since the last tick and
// the current minute's chart point, emitted as `metrics.tick`; the last tick of each session is kept for the snapshot.
import type { MetricsTick } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import type { SessionAggregate } from './aggregate.ts';
import type { SessionAggregates } from './aggregates.ts';
import { type LiveFigures, minutePoint } from './figures.ts';
import type { SessionSources } from './sources.ts';

const MINUTE = 60_000;
const TICK_MS = 1000;

export class MetricsTicker {
  private readonly core: Core;
  private readonly aggregates: SessionAggregates;
  private readonly figures: LiveFigures;
  private readonly sources: SessionSources;
  /** the last tick of each session (without its online points), for the snapshot part */
  readonly lastTick = new Map<number, MetricsTick>();
  private timer: NodeJS.Timeout | undefined;

  constructor(core: Core, aggregates: SessionAggregates, figures: LiveFigures, sources: SessionSources) {
    this.core = core;
    this.aggregates = aggregates;
    this.figures = figures;
    this.sources = sources;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    for (const [id, state] of this.aggregates.states) {
      if (state.status !== 'live') continue;
      const agg = this.aggregates.aggregates.get(id) ?? (this.sources.running.has(id) ? this.aggregates.of(id) : undefined);
      if (!agg) continue;
      try {
        this.emit(id, agg);
      } catch (error) {
        this.core.log(`metrics: tick for session ${id} failed: ${(error as Error).message}`);
      }
    }
  }

  emit(sessionId: number, agg: SessionAggregate): void {
    const snap = this.figures.snapshot(sessionId);
    const f = snap.session;
    const cur = agg.latestTs() - (agg.latestTs() % MINUTE);
    const w = agg.minutes.get(cur);
    const prev = agg.minuteBefore(cur);
    const seg = snap.segment && snap.segment.endedAt === null ? snap.segment : null;
    const tick: MetricsTick = {
      sessionId,
      ts: this.core.now(),
      source: snap.source,
      sourceStatus: snap.sourceStatus,
      ...(snap.otherOrders && snap.otherOrders.orders !== 0 ? { otherOrders: snap.otherOrders } : {}),
      session: {
        onlineNow: f.onlineNow,
        peakOnline: f.peakOnline,
        viewersUv: f.viewersUv,
        viewsPv: f.viewsPv,
        newViewersPerMinute: f.newViewersPerMinute,
        averageDwell: f.averageDwell,
        productCtr: f.productCtr,
        clickToPay: f.clickToPay,
        viewerConversion: f.viewerConversion,
        gmv: f.gmv,
        gpm: f.gpm,
        uvValue: f.uvValue,
        averageOrderValue: f.averageOrderValue,
        orders: f.orders,
      },
      segment: seg
        ? {
            segmentId: seg.segmentId,
            productId: seg.productId,
            startedAt: seg.startedAt,
            viewersUv: seg.figures.viewersUv,
            gmv: seg.figures.gmv,
            orders: seg.figures.orders,
            viewerConversion: seg.figures.viewerConversion,
            product: seg.product,
          }
        : null,
      alerts: snap.alerts,
      online: agg.pendingOnline,
      minute: w
        ? minutePoint(cur, w, agg.total.orders > 0, {
            viewersUv: agg.cumulative.viewersUv,
            viewersUvBefore: prev ? prev.latest.viewersUv : 0,
            payUv: agg.cumulative.payUv,
            orders: agg.total.orders,
            joins: agg.total.joins,
            hasViewersUv: agg.total.hasUv,
          })
        : null,
      counts: snap.counts,
    };
    agg.pendingOnline = [];
    this.lastTick.set(sessionId, { ...tick, online: [] });
    this.core.emit({ type: 'metrics.tick', tick });
  }
}
