// The review reads push, obs, lineup and automation through their APIs (ReviewDeps); an ended session's cached report
// is kept while every API's change mark stays the same and recomputed when any domain adds or changes a row.
import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { reviewDeps, reviewModule } from '../../../tests/helpers/review.ts';
import { MetricsModule } from '../metrics/module.ts';

async function endedSession() {
  const t = testCore();
  new MetricsModule().attach(t.core);
  reviewModule().attach(t.core);
  const deps = reviewDeps(() => t.core);
  const p = await t.core.call('product.create', { title: '保温杯', price: 9900 });
  const s = await t.core.call('session.create', { title: '复盘缓存', productIds: [p.id] });
  await t.core.call('session.start', { sessionId: s.id });
  await t.core.call('session.pin', { sessionId: s.id, productId: p.id });
  t.advance(120_000);
  await t.core.call('session.end', { sessionId: s.id });
  return { ...t, deps, s, start: t.now - 120_000 };
}

describe('the report reads other domains through their APIs', () => {
  it('an ended session stays cached until a push delivery, an OBS event, an automation action or a marker changes', async () => {
    const { core, deps, s, start, advance } = await endedSession();
    advance(600_000); // a push's lift window (5 min after it reached a group) has passed: its report may be cached
    const report = () => core.call('review.report', { sessionId: s.id });
    let last = await report();
    expect(await report()).toBe(last);
    const changed = async () => {
      const next = await report();
      expect(next).not.toBe(last);
      expect(await report()).toBe(next);
      last = next;
      return next;
    };

    const db = core.db;
    const channel = Number(
      db.prepare("INSERT INTO push_channels (kind, name, url, created_at) VALUES ('wecom', '老客群', 'https://example.com/hook', 0)").run()
        .lastInsertRowid,
    );
    const push = Number(
      db
        .prepare("INSERT INTO pushes (session_id, trigger, format, title, text, created_at) VALUES (?, 'manual', 'text', '福利', 'x', ?)")
        .run(s.id, start + 1000).lastInsertRowid,
    );
    const delivery = Number(
      db
        .prepare(
          "INSERT INTO push_deliveries (push_id, channel_id, part, body, status, next_attempt_at, updated_at) VALUES (?, ?, 'message', '{}', 'failed', 0, 1)",
        )
        .run(push, channel).lastInsertRowid,
    );
    expect((await changed()).pushes.map((p) => [p.title, p.failed])).toEqual([['福利', 1]]);
    db.prepare("UPDATE push_deliveries SET status = 'sent', sent_at = ?, updated_at = 2 WHERE id = ?").run(start + 2000, delivery);
    expect((await changed()).pushes.map((p) => [p.sent, p.failed])).toEqual([[1, 0]]);

    deps.obs.linkRecording(s.id, start, start + 60_000, '/nowhere/show.mp4');
    expect((await changed()).recordings).toEqual([{ path: '/nowhere/show.mp4', startedAt: start, available: false, sizeBytes: null }]);

    db.prepare(
      "INSERT INTO automation_actions (session_id, ts, kind, status, rule, reason, text) VALUES (?, ?, 'reply', 'sent', 'r', 'x', '欢迎')",
    ).run(s.id, start + 61_000);
    expect((await changed()).markers.filter((m) => m.kind === 'automation').map((m) => m.label)).toEqual(['自动化：回复 1']);

    db.prepare("INSERT INTO session_markers (session_id, ts, kind, label) VALUES (?, ?, 'scene', '切换场景：特写')").run(
      s.id,
      start + 5000,
    );
    expect((await changed()).markers.filter((m) => m.kind === 'scene').map((m) => m.label)).toEqual(['切换场景：特写']);
  });

  it('the lineup API: segments, lineup and the sessions filter as the report and the list use them', async () => {
    const { deps, s } = await endedSession();
    expect(deps.lineup.segments(s.id)).toHaveLength(1);
    expect(deps.lineup.lineupItems(s.id).map((i) => i.plannedMinutes)).toEqual([5]);
    expect(deps.lineup.findSessions({ q: '缓存', status: 'ended' }).map((x) => x.id)).toEqual([s.id]);
    expect(deps.lineup.findSessions({ q: '100%' })).toEqual([]);
    expect(deps.lineup.findSessions({ status: 'live' })).toEqual([]);
    expect(deps.lineup.liveSessionIds()).toEqual([]);
  });
});
