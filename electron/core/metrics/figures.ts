// What the views read: a session's live snapshot (session, segment and last-10-minute figures, alerts after
// hysteresis) and its chart series, computed from the running aggregate with shared/metrics/formulas.ts.
import { AlertGate } from '../../../shared/metrics/alert-gate.ts';
import {
  type Alert,
  type AlertConfig,
  DEFAULT_ALERTS,
  alerts as computeAlerts,
  compare,
  figures,
  ratio,
} from '../../../shared/metrics/formulas.ts';
import type { MetricsSeries, MetricsSnapshot, ProductFunnel, SegmentFigures, SeriesMinute } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import type { CounterWindow, SegmentAggregate, SessionAggregate } from './aggregate.ts';
import type { SessionAggregates } from './aggregates.ts';
import type { SessionSources } from './sources.ts';
import type { MetricsRepo } from './repo.ts';

const MINUTE = 60_000;

/** The running totals a minute's chart point is computed against (cumulative up to and including the minute). */
export interface MinuteTotals {
  viewersUv: number;
  viewersUvBefore: number;
  payUv: number;
  orders: number;
  joins: number;
  hasViewersUv: boolean;
}

/** One chart point: new viewers, GMV (orders when the session has any, else the readings' GMV), orders, conversion. */
export function minutePoint(t: number, w: CounterWindow, useOrders: boolean, c: MinuteTotals): SeriesMinute {
  const d = w.growth();
  const viewers = c.hasViewersUv ? c.viewersUv : c.joins;
  const payers = c.payUv > 0 ? c.payUv : c.orders;
  return {
    t,
    newViewers: c.hasViewersUv ? Math.max(0, c.viewersUv - c.viewersUvBefore) : w.joins,
    gmv: useOrders ? w.gmv : d.readingsGmv,
    orders: w.orders,
    conversion: ratio(payers, viewers),
  };
}

export class LiveFigures {
  private readonly core: Core;
  private readonly store: MetricsRepo;
  private readonly aggregates: SessionAggregates;
  private readonly sources: SessionSources;
  /** one alert gate per session, kept while it is live */
  private readonly gates = new Map<number, AlertGate>();
  /** figures of closed segments, valid while the segment's version is unchanged */
  readonly segmentCache = new Map<number, { version: number; figures: SegmentFigures }>();
  alertConfig: AlertConfig = DEFAULT_ALERTS;

  constructor(core: Core, store: MetricsRepo, aggregates: SessionAggregates, sources: SessionSources) {
    this.core = core;
    this.store = store;
    this.aggregates = aggregates;
    this.sources = sources;
  }

  /** the session ended: its alert gate goes */
  forgetGate(sessionId: number): void {
    this.gates.delete(sessionId);
  }

  snapshot(sessionId: number): MetricsSnapshot {
    const summary = this.aggregates.states.get(sessionId) ?? this.core.sessions.summary(sessionId);
    const agg = this.aggregates.of(sessionId);
    const live = summary.status !== 'ended';
    const end = live ? Math.max(this.core.now(), agg.latestTs()) : Math.max(summary.endedAt ?? 0, agg.latestTs());
    const start = summary.startedAt ?? agg.startMs;
    const session = figures(agg.total.counters(start, end, { n: agg.openVisits.size, joinSum: agg.openJoinSum }, true));
    const segments = agg.segments.map((s) => {
      if (s.segment.endedAt === null) return this.segmentFigures(agg, s, end);
      const hit = this.segmentCache.get(s.segment.id);
      if (hit && hit.version === s.version) return hit.figures;
      const figures = this.segmentFigures(agg, s, end);
      this.segmentCache.set(s.segment.id, { version: s.version, figures });
      return figures;
    });
    const open = segments.find((s) => s.endedAt === null) ?? segments.at(-1) ?? null;
    const dataEnd = agg.latestTs();
    const cur = dataEnd - (dataEnd % MINUTE);
    const last10 = compare(agg.windowCounters(cur - 19 * MINUTE, cur - 9 * MINUTE), {
      ...agg.windowCounters(cur - 9 * MINUTE, cur + MINUTE),
      endMs: Math.max(dataEnd, cur - 9 * MINUTE + 1000),
    });
    const online60sAgo = agg.onlineAt(dataEnd - 60_000);
    const state = this.aggregates.states.get(sessionId);
    const item = state?.segment ? state.lineup.find((i) => i.id === state.segment!.lineupItemId) : undefined;
    const openSeg = open && open.endedAt === null ? open : null;
    return {
      sessionId,
      provisional: live,
      source: this.sources.choiceOf(sessionId).source,
      sourceStatus: this.sources.status(sessionId),
      computedAt: this.core.now(),
      lastEventAt: agg.total.lastTs || null,
      session,
      segment: open,
      segments,
      last10,
      online60sAgo,
      counts: { ...agg.counts },
      otherOrders: { ...agg.otherOrders },
      alerts: this.gated(
        sessionId,
        openSeg?.segmentId ?? null,
        computeAlerts({
          config: this.alertConfig,
          online60sAgo,
          onlineNow: session.onlineNow,
          segmentStartedAt: openSeg?.startedAt ?? null,
          plannedMinutes: item?.plannedMinutes ?? null,
          now: this.core.now(),
          segmentConversion: openSeg?.figures.viewerConversion ?? null,
          segmentViewers: openSeg?.figures.viewersUv ?? 0,
          sessionConversion: session.viewerConversion,
        }),
      ),
    };
  }

  /** the alerts after hysteresis (shared/metrics/alert-gate.ts): one gate per session, kept while it is live */
  private gated(sessionId: number, segmentId: number | null, raw: Alert[]): Alert[] {
    let gate = this.gates.get(sessionId);
    if (!gate) {
      gate = new AlertGate();
      this.gates.set(sessionId, gate);
    }
    return gate.update(raw, String(segmentId ?? ''), this.core.now(), this.alertConfig);
  }

  private segmentFigures(agg: SessionAggregate, s: SegmentAggregate, end: number): SegmentFigures {
    const segEnd = s.segment.endedAt ?? Math.max(end, s.window.lastTs);
    const now = agg.products.get(String(s.segment.productId)) ?? { exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 };
    const base = s.productBase ?? now;
    const product: ProductFunnel = {
      exposureUv: Math.max(0, now.exposureUv - base.exposureUv),
      clickUv: Math.max(0, now.clickUv - base.clickUv),
      payUv: Math.max(0, now.payUv - base.payUv),
      gmv: s.productOrders > 0 ? s.productGmv : Math.max(0, now.gmv - base.gmv),
      orders: s.productOrders,
      ctr: null,
      clickToPay: null,
    };
    // a closed segment's product funnel ends at its last reading, not at "now"
    if (s.segment.endedAt !== null) {
      const d = s.window.growth();
      product.exposureUv = Math.min(product.exposureUv, d.exposureUv);
      product.clickUv = Math.min(product.clickUv, d.clickUv);
      product.payUv = Math.min(product.payUv, d.payUv);
    }
    product.ctr = ratio(product.clickUv, product.exposureUv);
    product.clickToPay = ratio(product.payUv, product.clickUv);
    return {
      segmentId: s.segment.id,
      productId: s.segment.productId,
      startedAt: s.segment.startedAt,
      endedAt: s.segment.endedAt,
      figures: figures(s.window.counters(s.segment.startedAt, segEnd)),
      product,
    };
  }

  series(sessionId: number): MetricsSeries {
    const agg = this.aggregates.of(sessionId);
    const minutes: SeriesMinute[] = [];
    const keys = [...agg.minutes.keys()].sort((a, b) => a - b);
    let viewersUvBefore = 0;
    let orders = 0;
    let joins = 0;
    let cumulative = { viewersUv: 0, payUv: 0, readingsGmv: 0 };
    const useOrders = agg.total.orders > 0;
    for (const t of keys) {
      const w = agg.minutes.get(t)!;
      orders += w.orders;
      joins += w.joins;
      if (w.readings) {
        cumulative = {
          viewersUv: Math.max(cumulative.viewersUv, w.latest.viewersUv),
          payUv: Math.max(cumulative.payUv, w.latest.payUv),
          readingsGmv: Math.max(cumulative.readingsGmv, w.latest.readingsGmv),
        };
      }
      minutes.push(
        minutePoint(t, w, useOrders, {
          viewersUv: cumulative.viewersUv,
          viewersUvBefore,
          payUv: cumulative.payUv,
          orders,
          joins,
          hasViewersUv: agg.total.hasUv,
        }),
      );
      viewersUvBefore = cumulative.viewersUv;
    }
    return {
      sessionId,
      online: this.store.onlineSeries(sessionId),
      minutes,
      segments: agg.segments.map((s) => ({
        segmentId: s.segment.id,
        productId: s.segment.productId,
        startedAt: s.segment.startedAt,
        endedAt: s.segment.endedAt,
      })),
    };
  }
}
