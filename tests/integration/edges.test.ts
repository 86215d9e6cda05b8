// Edges every carrier shares (issue #15's defects): a closing core, a bad query parameter, the push → metrics event.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningHost } from '../../electron/core/host.ts';
import { MetricsModule } from '../../electron/core/metrics/module.ts';
import { ObsModule } from '../../electron/core/obs/module.ts';
import { PushModule } from '../../electron/core/push/module.ts';
import { testCore, testHost } from '../helpers/core.ts';
import { startFakeObs, type FakeObs } from '../helpers/fake-obs.ts';
import { startRobots, waitFor, type RobotStub } from '../helpers/robots.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const get = (h: RunningHost, path: string) =>
  fetch(`${h.url}${path.replace(/^\//, '')}`, { headers: { authorization: `Bearer ${h.core.token}` } });

describe('a closing core', () => {
  it('answers unavailable (HTTP 503, retry later), not conflict (409)', async () => {
    const h = await testHost([]);
    cleanups.push(() => h.stop());
    expect((await get(h, '/api/v1/products')).status).toBe(200);
    h.core.close(); // the core closes while the server still answers (host.stop closes the server just before)
    await expect(h.core.invoke('products.list', {})).rejects.toMatchObject({ code: 'unavailable' });
    const res = await get(h, '/api/v1/products');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/正在关闭.*shutting down/),
    });
  });
});

describe('stream-health ?since=', () => {
  let fake: FakeObs | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('a bad ?since= answers 400 like every route; digits or none answer 200', async () => {
    fake = await startFakeObs();
    const obs = new ObsModule({
      options: { obs: fake.url },
      env: {},
      link: { requestTimeoutMs: 400, backoffBaseMs: 100, backoffMaxMs: 300 },
    });
    const h = await testHost([obs]);
    cleanups.push(() => h.stop());
    const s = await h.core.call('session.create', { title: 'since' });
    for (const bad of ['yesterday', '-5', '1.5', '1e9']) {
      const res = await get(h, `/api/v1/sessions/${s.id}/stream-health?since=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    expect((await get(h, `/api/v1/sessions/${s.id}/stream-health?since=0`)).status).toBe(200);
    expect((await get(h, `/api/v1/sessions/${s.id}/stream-health`)).status).toBe(200);
    expect((await get(h, `/api/v1/sessions/x/stream-health`)).status).toBe(400);
  });
});

describe('push.sent → metrics', () => {
  it('a delivered message emits push.sent with its reach (null: a robot webhook does not tell the group size)', async () => {
    const stub: RobotStub = await startRobots(0.05);
    cleanups.push(() => stub.close());
    const t = testCore({ start: Date.now() });
    const push = new PushModule({ timeScale: 0.05, timeoutMs: 1_500, random: () => 0.5, reminderTickMs: 60_000 });
    push.attach(t.core);
    push.start();
    cleanups.push(async () => {
      await push.stop();
      t.core.close();
    });
    const sent: unknown[] = [];
    t.core.subscribe((e) => e.type === 'push.sent' && sent.push(e));
    const session = await t.core.call('session.create', { title: 'reach' });
    const ch = await t.core.call('push.channel.create', { kind: 'wecom', name: 'VIP群', url: stub.add('r', { kind: 'wecom' }) });
    const p = await t.core.call('push.send', { sessionId: session.id, channelIds: [ch.id], text: 'hello' });
    await waitFor(() => sent.length > 0 || undefined, 10_000, 'push.sent');
    expect(sent[0]).toEqual({ type: 'push.sent', sessionId: session.id, pushId: p.id, channelId: ch.id, reach: null });
  });

  it('metrics hands the event’s reach to the audience model (a known reach, or none)', () => {
    const t = testCore();
    const metrics = new MetricsModule();
    metrics.attach(t.core);
    cleanups.push(() => t.core.close());
    const notify = vi.spyOn(metrics, 'notifyPush');
    t.core.emit({ type: 'push.sent', sessionId: 7, pushId: 1, channelId: 2, reach: 3000 });
    t.core.emit({ type: 'push.sent', sessionId: 7, pushId: 1, channelId: 3, reach: null });
    expect(notify.mock.calls).toEqual([
      [7, 3000],
      [7, undefined],
    ]);
  });
});

describe('one set of HTTP input helpers (server/params.ts) on every domain route', () => {
  it('path ids, JSON-object bodies and numeric query parameters answer 400 the same way everywhere', async () => {
    const h = await testHost([new PushModule({ reminderTickMs: 3_600_000 }), new MetricsModule()]);
    cleanups.push(() => h.stop());
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${h.url}${path.slice(1)}`, {
        method,
        headers: { authorization: `Bearer ${h.core.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, error: ((await r.json()) as { error?: { code: string; message: string } }).error }));
    const s = await h.core.call('session.create', { title: 'params' });
    // path ids
    for (const path of ['/api/v1/sessions/abc/metrics', '/api/v1/sessions/-1/pushes', '/api/v1/push/deliveries/1.5/resend']) {
      const method = path.endsWith('resend') ? 'POST' : 'GET';
      expect((await call(method, path)).error?.message, path).toMatch(/id 必须是正整数 \/ id must be a positive integer/);
    }
    // bodies: an array is not an object (it used to be spread into the input)
    const bad = await call('PUT', `/api/v1/sessions/${s.id}/metrics/source`, ['simulator']);
    expect(bad).toMatchObject({ status: 400, error: { message: expect.stringMatching(/JSON 对象/) } });
    expect((await call('PATCH', '/api/v1/push/channels/1', 'x')).error?.message).toMatch(/JSON 对象/);
    // query numbers: text answers 400, empty means absent
    expect((await call('GET', '/api/v1/push/deliveries?pushId=abc')).status).toBe(400);
    expect((await call('GET', `/api/v1/push/deliveries?sessionId=${s.id}&pushId=`)).status).toBe(200);
  });
});
