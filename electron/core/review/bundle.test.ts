import { afterEach, describe, expect, it } from 'vitest';
import { testCore, testHost } from '../../../tests/helpers/core.ts';
import type { SessionBundle } from '../../../shared/protocol/review.ts';
import type { Core } from '../core.ts';
import type { RunningHost } from '../host.ts';
import { MetricsModule } from '../metrics/module.ts';
import { reviewModule } from '../../../tests/helpers/review.ts';

const T0 = 1_790_000_000_000;
const ROBOT_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0f5e-secret-robot-key';
/** above 2^53: a JS number would round it */
const ORDER_IDS = ['3705115058471208928', '3705115058471208929', '9007199254740993123'];

function setup(options: { start?: number } = {}) {
  const t = testCore({ start: options.start ?? T0 });
  new MetricsModule().attach(t.core);
  reviewModule().attach(t.core);
  return t;
}

/** a session with a lineup, two pins, readings, orders, comments, a recording event and a push to a robot */
async function recordedSession(t: ReturnType<typeof setup>, readings = 120) {
  const { core } = t;
  const a = await core.call('product.create', { title: 'A 面膜', price: 9900, livePrice: 6900, sku: 'SKU-A' });
  const b = await core.call('product.create', { title: 'B 口红', price: 19900 });
  const s = await core.call('session.create', { title: '双十一预热', productIds: [a.id, b.id] });
  await core.call('session.start', { sessionId: s.id });
  await core.call('session.next', { sessionId: s.id });
  const reading = (i: number, pid: number) => ({
    type: 'reading',
    ts: T0 + i * 1000,
    online: 100 + (i % 17) * 3,
    viewersUv: 200 + i * 4,
    viewsPv: 300 + i * 6,
    products: [{ productId: pid, exposureUv: 50 + i, clickUv: 10 + Math.floor(i / 3), payUv: Math.floor(i / 10) }],
  });
  const half = Math.floor(readings / 2);
  // events arrive in time order, pins between them, as they would live
  await core.call('metrics.ingest', {
    sessionId: s.id,
    events: [
      ...Array.from({ length: half }, (_, i) => reading(i, a.id)),
      { type: 'order', ts: T0 + 5_000, orderId: ORDER_IDS[0], amount: 6900, productId: a.id },
      { type: 'order', ts: T0 + 9_000, orderId: ORDER_IDS[1], amount: 13_800, productId: a.id },
      { type: 'comment', ts: T0 + 3_000, text: '多少钱？' },
      { type: 'join', ts: T0 + 1_000, viewerId: 'o-1' },
    ],
  });
  t.advance(half * 1000);
  await core.call('session.next', { sessionId: s.id });
  await core.call('metrics.ingest', {
    sessionId: s.id,
    events: [
      ...Array.from({ length: readings - half }, (_, i) => reading(half + i, b.id)),
      { type: 'order', ts: T0 + (readings - 5) * 1000, orderId: ORDER_IDS[2], amount: 19_900, productId: b.id },
    ],
  });
  t.advance((readings - half) * 1000);
  const db = core.db;
  db.prepare("INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, 'record', 'OBS_WEBSOCKET_OUTPUT_STARTED', 1, '/rec/a.mp4')").run(s.id, T0);
  db.prepare('INSERT INTO stream_health (session_id, ts, streaming, recording, bitrate_kbps) VALUES (?, ?, 1, 1, 6000)').run(s.id, T0);
  const ch = Number(db.prepare("INSERT INTO push_channels (kind, name, url, secret, created_at) VALUES ('wecom', '福利群 1', ?, 'SEC-very-secret-sign', ?)").run(ROBOT_URL, T0).lastInsertRowid);
  const push = Number(db.prepare("INSERT INTO pushes (session_id, trigger, rule_id, format, title, text, created_at) VALUES (?, 'stream_start', 3, 'card', '开播了', '进直播间', ?)").run(s.id, T0).lastInsertRowid);
  db.prepare(
    "INSERT INTO push_deliveries (push_id, channel_id, part, body, status, last_error, next_attempt_at, updated_at) VALUES (?, ?, 'message', '{}', 'sent', ?, ?, ?)",
  ).run(push, ch, `HTTP 500 from ${ROBOT_URL}`, T0, T0);
  db.prepare("INSERT INTO push_deliveries (push_id, channel_id, part, body, status, next_attempt_at, updated_at) VALUES (?, ?, 'qr', '{}', 'queued', ?, ?)").run(push, ch, T0, T0);
  const firstItem = (await core.call('session.get', { sessionId: s.id })).lineup[0]!.id;
  db.prepare("INSERT INTO obs_item_cues (lineup_item_id, scene_name) VALUES (?, '商品特写')").run(firstItem);
  await core.call('session.end', { sessionId: s.id });
  return { a, b, sessionId: s.id };
}

const counts = (core: Core) =>
  Object.fromEntries(
    (core.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => [
      t.name,
      (core.db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n,
    ]),
  );

const hosts: RunningHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
});

describe('session bundle', () => {
  it('round-trips into a fresh LiveCue: the same figures, exact order ids, new ids, no robot secrets', async () => {
    const src = setup();
    const { sessionId } = await recordedSession(src);
    const before = await src.core.call('metrics.snapshot', { sessionId });
    const bundle = JSON.parse(JSON.stringify(await src.core.call('review.exportBundle', { sessionId }))) as SessionBundle;
    expect(bundle.format).toBe('livecue.session');
    expect(Object.keys(bundle.data)).toEqual(expect.arrayContaining(['sessions', 'lineup_items', 'segments', 'metric_readings', 'metric_orders', 'metric_seconds', 'metric_minutes', 'metric_products', 'stream_events', 'stream_health', 'pushes', 'push_deliveries', 'push_channels', 'products', 'obs_item_cues']));
    expect(bundle.data.wechat_push_events).toBeUndefined();
    const text = JSON.stringify(bundle);
    expect(text).not.toContain('secret-robot-key');
    expect(text).not.toContain('SEC-very-secret-sign');
    expect(bundle.data.push_channels).toEqual([{ id: expect.any(Number), kind: 'wecom', name: '福利群 1' }]);

    // the target already has product A (same SKU, other id) and a product B look-alike with another price
    const dst = setup({ start: T0 + 86_400_000 });
    await dst.core.call('product.create', { title: '占位', price: 1 });
    const existingA = await dst.core.call('product.create', { title: 'A 面膜（本地）', price: 8800, sku: 'SKU-A' });
    await dst.core.call('product.create', { title: 'B 口红', price: 100 });
    await dst.core.call('session.create', { title: 'local one' });
    const events: unknown[] = [];
    dst.core.subscribe((e) => events.push(e));
    const result = await dst.core.call('review.importBundle', { bundle });
    expect(result.title).toBe('双十一预热');
    expect(result.sessionId).not.toBe(sessionId);
    expect(events.at(-1)).toEqual({ type: 'review.imported', sessionId: result.sessionId });

    const after = await dst.core.call('metrics.snapshot', { sessionId: result.sessionId });
    expect(after.session).toEqual(before.session);
    expect(after.counts).toEqual(before.counts);
    expect(after.session.viewersUv).toBe(before.session.viewersUv);
    expect(after.session.gmv).toBe(6900 + 13_800 + 19_900);
    expect(after.session.orders).toBe(3);
    expect(after.segments.map((s) => ({ ...s, segmentId: 0, productId: 0 }))).toEqual(before.segments.map((s) => ({ ...s, segmentId: 0, productId: 0 })));

    const newB = after.segments[1]!.productId;
    expect(after.segments[0]!.productId).toBe(existingA.id);
    const orders = dst.core.db.prepare('SELECT order_id, product_key FROM metric_orders WHERE session_id = ? ORDER BY ts').all(result.sessionId);
    expect(orders).toEqual([
      { order_id: ORDER_IDS[0], product_key: String(existingA.id) },
      { order_id: ORDER_IDS[1], product_key: String(existingA.id) },
      { order_id: ORDER_IDS[2], product_key: String(newB) },
    ]);
    const created = dst.core.db.prepare('SELECT title, price FROM products WHERE id = ?').get(newB);
    expect(created).toEqual({ title: 'B 口红', price: 19900 });

    const channel = dst.core.db.prepare('SELECT c.name, c.url, c.deleted_at IS NOT NULL AS deleted FROM push_channels c JOIN push_deliveries d ON d.channel_id = c.id LIMIT 1').get();
    expect(channel).toEqual({ name: '福利群 1', url: '', deleted: 1 });
    const deliveries = dst.core.db.prepare('SELECT part, status, last_error FROM push_deliveries ORDER BY part').all() as { part: string; status: string; last_error: string }[];
    expect(deliveries.map((d) => [d.part, d.status])).toEqual([['message', 'sent'], ['qr', 'failed']]);
    expect(deliveries[0]!.last_error).toContain('[redacted]');
    const cue = dst.core.db.prepare('SELECT c.scene_name, i.session_id, i.position FROM obs_item_cues c JOIN lineup_items i ON i.id = c.lineup_item_id').get();
    // OBS cues are not imported (a bundle's hotkey could stop the stream on pin): the producer sets them again
    expect(cue).toBeUndefined();
    const imported = dst.core.db.prepare('SELECT kind, rows FROM session_imports WHERE session_id = ?').get(result.sessionId) as { kind: string; rows: number };
    expect(imported.kind).toBe('bundle');
    expect(imported.rows).toBe(result.rows);
  });

  it('importing the same bundle twice makes two independent sessions', async () => {
    const src = setup();
    const { sessionId } = await recordedSession(src, 20);
    const bundle = await src.core.call('review.exportBundle', { sessionId });
    const one = await src.core.call('review.importBundle', { bundle });
    const two = await src.core.call('review.importBundle', { bundle });
    expect(new Set([sessionId, one.sessionId, two.sessionId]).size).toBe(3);
    const orig = await src.core.call('metrics.snapshot', { sessionId });
    expect((await src.core.call('metrics.snapshot', { sessionId: two.sessionId })).session.gmv).toBe(orig.session.gmv);
    const productCount = src.core.db.prepare('SELECT count(*) AS n FROM products').get() as { n: number };
    expect(productCount.n).toBe(2);
  });

  it('a bundle whose 900th row is bad leaves the database unchanged (schema error and constraint error)', async () => {
    const src = setup();
    const { sessionId } = await recordedSession(src, 1000);
    const bundle = JSON.parse(JSON.stringify(await src.core.call('review.exportBundle', { sessionId }))) as SessionBundle;
    expect(bundle.data.metric_readings!.length).toBeGreaterThanOrEqual(1000);
    const dst = setup();
    const initial = counts(dst.core);

    const wrongType = structuredClone(bundle);
    wrongType.data.metric_readings![899]!.online = 'lots';
    const e1 = await dst.core.call('review.importBundle', { bundle: wrongType }).catch((e) => e);
    expect(e1.code).toBe('bad_request');
    expect(e1.message).toContain('metric_readings.899.online');
    expect(counts(dst.core)).toEqual(initial);

    // valid JSON types, but the 900th stream_health row repeats a primary key: SQLite refuses it mid-transaction
    const many = structuredClone(bundle);
    many.data.stream_health = Array.from({ length: 1000 }, (_, i) => ({ session_id: sessionId, ts: T0 + i, streaming: 1, recording: 1, timecode: null, bitrate_kbps: 5000, dropped_ratio: 0, congestion: 0 }));
    many.data.stream_health[899]!.ts = T0 + 898;
    const e2 = await dst.core.call('review.importBundle', { bundle: many }).catch((e) => e);
    expect(e2.code).toBe('bad_request');
    expect(e2.message).toContain('stream_health[899]');
    expect(counts(dst.core)).toEqual(initial);

    const unknown = structuredClone(bundle) as unknown as { data: Record<string, unknown[]> };
    unknown.data.metric_orders![0] = { ...(unknown.data.metric_orders![0] as object), buyer_phone: '138' };
    const e3 = await dst.core.call('review.importBundle', { bundle: unknown }).catch((e) => e);
    expect(e3.message).toMatch(/buyer_phone/);
    const wrongVersion = { ...bundle, version: 2 };
    await expect(dst.core.call('review.importBundle', { bundle: wrongVersion })).rejects.toThrow(/version/);
    expect(counts(dst.core)).toEqual(initial);
  });

  it('HTTP: GET …/bundle is a download, POST /sessions/import takes it back, a bad one answers 400 with what is wrong', async () => {
    const host = await testHost(((m) => [m, reviewModule(m)])(new MetricsModule()));
    hosts.push(host);
    const p = await host.core.call('product.create', { title: 'A', price: 100 });
    const s = await host.core.call('session.create', { title: 'http', productIds: [p.id] });
    await host.core.call('session.start', { sessionId: s.id });
    await host.core.call('metrics.ingest', { sessionId: s.id, events: [{ type: 'order', ts: Date.now(), orderId: ORDER_IDS[0], amount: 100, productId: p.id }] });
    const auth = { authorization: `Bearer ${host.core.token}` };
    const res = await fetch(`${host.url}api/v1/sessions/${s.id}/bundle`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="livecue-session-${s.id}.json"`);
    const text = await res.text();
    expect(text).toContain(`"order_id":"${ORDER_IDS[0]}"`);
    const back = await fetch(`${host.url}api/v1/sessions/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: text });
    expect(back.status).toBe(200);
    const result = (await back.json()) as { sessionId: number };
    const state = await host.core.call('session.get', { sessionId: result.sessionId });
    // exported while live: it arrives ended, nothing is running it here
    expect(state.status).toBe('ended');
    const bad = await fetch(`${host.url}api/v1/sessions/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ format: 'other' }) });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/format/);
    expect((await fetch(`${host.url}api/v1/sessions/${s.id}/bundle`)).status).toBe(401);
    expect((await fetch(`${host.url}api/v1/sessions/999/bundle`, { headers: auth })).status).toBe(404);
  });
});
