import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERTS,
  alerts,
  averageDwell,
  averageOnline,
  averageOrderValue,
  change,
  clickToPay,
  compare,
  emptyCounters,
  gmv,
  gpm,
  newViewersPerMinute,
  onlineDrop,
  onlineNow,
  payUv,
  peakOnline,
  productCtr,
  ratio,
  uvValue,
  viewerConversion,
  viewersUv,
  viewsPv,
} from './formulas.ts';

const base = (patch: Partial<ReturnType<typeof emptyCounters>> = {}) => ({ ...emptyCounters(0, 600_000), ...patch });

describe('metric formulas', () => {
  it('ratio is null without a denominator', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });

  it('online now and peak come from readings', () => {
    expect(onlineNow(base())).toBeNull();
    expect(onlineNow(base({ onlineLast: 120 }))).toBe(120);
    expect(peakOnline(base({ onlineMax: 300 }))).toBe(300);
    expect(averageOnline(base({ onlineSum: 600, onlineN: 4 }))).toBe(150);
  });

  it('viewer UV / PV use source counters, else join events', () => {
    expect(viewersUv(base({ hasReadingsUv: true, viewersUv: 50, joins: 80 }))).toBe(50);
    expect(viewersUv(base({ joins: 80 }))).toBe(80);
    expect(viewsPv(base({ hasReadingsUv: true, viewersUv: 50, viewsPv: 70, joins: 80 }))).toBe(70);
    expect(viewsPv(base({ joins: 80 }))).toBe(80);
  });

  it('new viewers per minute = UV gained ÷ window minutes', () => {
    expect(newViewersPerMinute(base({ hasReadingsUv: true, viewersUv: 500 }))).toBe(50); // 10-minute window
  });

  it('average dwell is exact from join/leave, counting open visits up to the window end', () => {
    // two visits ended (60 s and 120 s) and one still open since t=540 s (60 s so far at 600 s)
    const d = averageDwell(base({ dwellMs: 180_000, dwellN: 2, openN: 1, openJoinSum: 540_000 }));
    expect(d).toEqual({ seconds: 80, method: 'exact', estimate: false });
  });

  it('average dwell falls back to the reported figure, then to Little’s law (labelled an estimate)', () => {
    expect(averageDwell(base({ reportedAvgWatchSeconds: 95 }))).toEqual({ seconds: 95, method: 'reported', estimate: false });
    // L = 100 online on average, λ = 600 viewers / 600 s = 1 per second → W = 100 s
    const d = averageDwell(base({ onlineSum: 1000, onlineN: 10, hasReadingsUv: true, viewersUv: 600 }));
    expect(d.method).toBe('littles-law');
    expect(d.estimate).toBe(true);
    expect(d.seconds).toBeCloseTo(100, 6);
    expect(averageDwell(base()).seconds).toBeNull();
  });

  it('funnel ratios: CTR, click-to-pay, viewer conversion', () => {
    const c = base({ exposureUv: 1000, clickUv: 100, payUv: 20, hasReadingsUv: true, viewersUv: 400 });
    expect(productCtr(c)).toBe(0.1);
    expect(clickToPay(c)).toBe(0.2);
    expect(viewerConversion(c)).toBe(0.05);
    expect(productCtr(base())).toBeNull();
    // without product readings, paid orders stand in for pay UV
    expect(payUv(base({ orders: 7 }))).toBe(7);
  });

  it('GMV prefers orders, GPM shows its PV denominator, UV value and AOV', () => {
    const c = base({ orders: 4, ordersGmv: 40_000, readingsGmv: 99_999, hasReadingsUv: true, viewersUv: 200, viewsPv: 500 });
    expect(gmv(c)).toBe(40_000);
    expect(gmv(base({ readingsGmv: 12_345 }))).toBe(12_345);
    expect(gpm(c)).toEqual({ value: 80_000, pv: 500 });
    expect(gpm(base()).value).toBeNull();
    expect(uvValue(c)).toBe(200);
    expect(averageOrderValue(c)).toBe(10_000);
    expect(averageOrderValue(base())).toBeNull();
  });

  it('change and online drop', () => {
    expect(change(100, 150)).toBe(0.5);
    expect(change(0, 10)).toBeNull();
    expect(onlineDrop(200, 150)).toBe(0.25);
    expect(onlineDrop(0, 10)).toBeNull();
  });

  it('compares the last 10 minutes with the 10 before', () => {
    const prev = base({ hasReadingsUv: true, viewersUv: 100, orders: 2, ordersGmv: 2000 });
    const last = base({ hasReadingsUv: true, viewersUv: 150, orders: 4, ordersGmv: 5000 });
    const cmp = compare(prev, last);
    expect(cmp.change.newViewersPerMinute).toBeCloseTo(0.5);
    expect(cmp.change.gmv).toBeCloseTo(1.5);
    expect(cmp.last.orders).toBe(4);
  });

  it('alerts: online drop, overrun, low conversion — each only past its threshold', () => {
    const input = {
      config: DEFAULT_ALERTS,
      online60sAgo: 1000,
      onlineNow: 700,
      segmentStartedAt: 0,
      plannedMinutes: 5,
      now: 6 * 60_000,
      segmentConversion: 0.01,
      segmentViewers: 100,
      sessionConversion: 0.02,
    };
    expect(alerts(input).map((a) => a.kind)).toEqual(['onlineDrop', 'overrun', 'lowConversion']);
    expect(alerts({ ...input, onlineNow: 900, now: 4 * 60_000, segmentConversion: 0.03 })).toEqual([]);
    expect(alerts({ ...input, config: { ...DEFAULT_ALERTS, onlineDropPct: 0.5 } }).map((a) => a.kind)).not.toContain('onlineDrop');
    expect(alerts({ ...input, segmentViewers: 10 }).map((a) => a.kind)).not.toContain('lowConversion');
  });
});
