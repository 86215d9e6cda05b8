// #13 point 5: honest sources. At ×60 the simulator compresses the audience, never the calendar: a 3:49 rehearsal's
// report ends at its real end (before: readings two hours ahead, the peak at 02:57:53, compare over 225 minutes). A
// session that ran on the simulator is a rehearsal (彩排) in review, and its source is stored (not 'none'). A source
// that cannot run (WeChat API without AppID/AppSecret) says why and nothing simulated stands in for it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { reviewModule } from '../../../tests/helpers/review.ts';
import { MetricsModule } from './module.ts';

const SHOW_MS = 229_000; // 3:49

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function rehearse(options: { setSource: boolean }) {
  const t = testCore();
  const metrics = new MetricsModule();
  metrics.attach(t.core);
  reviewModule().attach(t.core);
  metrics.start();
  const { core } = t;
  const a = await core.call('product.create', { title: '冰糖心苹果', price: 9900, hot: true });
  const b = await core.call('product.create', { title: '普洱茶', price: 19900 });
  const s = await core.call('session.create', { title: '×60 彩排', productIds: [a.id, b.id] });
  if (options.setSource) await core.call('metrics.setSource', { sessionId: s.id, source: 'simulator', options: { timeScale: 60, seed: 5, arrivalsPerSecond: 5 } });
  await core.call('session.start', { sessionId: s.id });
  await core.call('session.next', { sessionId: s.id });
  // the real clock and the timers move together, 250 ms at a time, for 3:49
  for (let elapsed = 0; elapsed < SHOW_MS; elapsed += 250) {
    if (elapsed === 120_000) await core.call('session.next', { sessionId: s.id });
    t.advance(250);
    vi.advanceTimersByTime(250);
  }
  const ended = await core.call('session.end', { sessionId: s.id });
  metrics.stop();
  return { ...t, s, ended };
}

describe('the simulator clock at ×60', () => {
  it('never writes after now: the report of a 3:49 rehearsal ends at its real end time', async () => {
    const { core, s, ended } = await rehearse({ setSource: true });
    const startedAt = ended.startedAt!;
    const endedAt = ended.endedAt!;
    expect(endedAt - startedAt).toBe(SHOW_MS);
    const span = core.db.prepare('SELECT min(ts) AS first, max(ts) AS last, count(*) AS n FROM metric_readings WHERE session_id = ?').get(s.id) as { first: number; last: number; n: number };
    expect(span.last).toBeLessThanOrEqual(endedAt);
    expect(span.first).toBeGreaterThanOrEqual(startedAt);
    // one reading per real second (×60 compresses 60 simulated seconds into each), not 60
    expect(span.n).toBeGreaterThan(200);
    expect(span.n).toBeLessThanOrEqual(SHOW_MS / 1000 + 1);
    for (const table of ['metric_orders', 'metric_presence', 'metric_comments']) {
      const last = (core.db.prepare(`SELECT max(ts) AS last FROM ${table} WHERE session_id = ?`).get(s.id) as { last: number | null }).last;
      expect(last ?? 0, table).toBeLessThanOrEqual(endedAt);
    }
    const report = await core.call('review.report', { sessionId: s.id });
    const lastMinute = report.timeline.at(-1)!.t;
    expect(lastMinute).toBeLessThanOrEqual(endedAt);
    expect(lastMinute).toBeGreaterThan(endedAt - 60_000);
    expect(report.summary.peakAt).toBeGreaterThanOrEqual(startedAt);
    expect(report.summary.peakAt).toBeLessThanOrEqual(endedAt);
    expect(report.online.at(-1)![0]).toBeLessThanOrEqual(endedAt);
    // the audience is compressed: ×60 of arrivals, so the room fills in seconds
    expect(report.summary.peakOnline).toBeGreaterThan(50);
    const compare = await core.call('review.compare', { a: s.id, b: s.id });
    expect(compare.a.minutes.length).toBeLessThanOrEqual(5); // 3:49 spans at most 5 clock minutes
    expect(compare.a.rehearsal).toBe(true);
  });

  it('a session on the default simulator is stored as such and marked 彩排 in review', async () => {
    const { core, s } = await rehearse({ setSource: false });
    const row = (await core.call('review.sessions', {})).find((r) => r.id === s.id)!;
    expect(row.source).toBe('simulator');
    expect(row.rehearsal).toBe(true);
    expect((await core.call('review.report', { sessionId: s.id })).session.rehearsal).toBe(true);
    expect(core.db.prepare('SELECT source, state FROM metric_source_runs WHERE session_id = ?').all(s.id)).toEqual([{ source: 'simulator', state: 'running' }]);
    // the source history travels in the session bundle: an imported rehearsal is still 彩排
    const bundle = await core.call('review.exportBundle', { sessionId: s.id });
    const imported = await core.call('review.importBundle', { bundle });
    expect((await core.call('review.report', { sessionId: imported.sessionId })).session.rehearsal).toBe(true);
  });
});

describe('a source that cannot run', () => {
  it('WeChat API without credentials: says why, records the refusal, and no simulated figures arrive', async () => {
    const t = testCore();
    const metrics = new MetricsModule();
    metrics.attach(t.core);
    reviewModule().attach(t.core);
    metrics.start();
    const { core } = t;
    const a = await core.call('product.create', { title: 'A', price: 100 });
    const s = await core.call('session.create', { title: 'real show', productIds: [a.id] });
    const set = await core.call('metrics.setSource', { sessionId: s.id, source: 'wechat-api' });
    expect(set.ready).toBe(false);
    expect(set.message).toContain('AppID');
    await core.call('session.start', { sessionId: s.id });
    for (let i = 0; i < 20; i++) {
      t.advance(250);
      vi.advanceTimersByTime(250);
    }
    const snap = await core.call('metrics.snapshot', { sessionId: s.id });
    expect(snap.source).toBe('wechat-api');
    expect(snap.sourceStatus.state).toBe('error');
    expect(snap.sourceStatus.message).toContain('AppID');
    expect(snap.counts.readings).toBe(0);
    const row = (await core.call('review.sessions', {})).find((r) => r.id === s.id)!;
    expect(row.rehearsal).toBe(false);
    expect(core.db.prepare('SELECT source, state FROM metric_source_runs WHERE session_id = ?').all(s.id)).toEqual([{ source: 'wechat-api', state: 'refused' }]);
    metrics.stop();
  });
});
