// The renderer's state modules: nothing happens on import, stores are made once per desk, destroy stops everything.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../test/fake-api.ts';
import { T0, liveSession, metricsTick, figures, product, snapshot } from '../test/fixtures.ts';

describe('renderer state', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('importing every state module opens no connection, sends no request and listens to nothing', async () => {
    const WebSocket = vi.fn();
    const fetch = vi.fn();
    const addEventListener = vi.spyOn(window, 'addEventListener');
    vi.stubGlobal('WebSocket', WebSocket);
    vi.stubGlobal('fetch', fetch);
    vi.resetModules();
    await Promise.all([
      import('../App.svelte'),
      import('./desk.svelte.ts'),
      import('./router.svelte.ts'),
      import('./tick.svelte.ts'),
      import('./metrics.svelte.ts'),
      import('./obs.svelte.ts'),
      import('./push.svelte.ts'),
      import('./channels.svelte.ts'),
      import('./automation.svelte.ts'),
      import('./review.svelte.ts'),
    ]);
    expect(WebSocket).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
    expect(addEventListener).not.toHaveBeenCalled();
  });

  it('a store is made once per desk, from that desk; two desks do not share one', async () => {
    const { createDesk } = await import('./desk.svelte.ts');
    const { createMetrics } = await import('./metrics.svelte.ts');
    const products = [product(1)];
    const a = new FakeApi(snapshot(products, [liveSession(1, products)]));
    const b = new FakeApi(snapshot(products, [liveSession(1, products)]));
    const deskA = createDesk(a);
    const deskB = createDesk(b);
    const metricsA = deskA.store(createMetrics);
    expect(deskA.store(createMetrics)).toBe(metricsA);
    expect(deskB.store(createMetrics)).not.toBe(metricsA);

    a.emit({ type: 'metrics.tick', tick: metricsTick(1, figures({ onlineNow: 42 })) });
    expect(metricsA.ticks[1]?.session.onlineNow).toBe(42);
    expect(deskB.store(createMetrics).ticks[1]).toBeUndefined();
    deskA.destroy();
    deskB.destroy();
  });

  it('destroy closes the subscription and stops the clock', async () => {
    vi.useFakeTimers({ now: T0 });
    const { createDesk } = await import('./desk.svelte.ts');
    const { createTick } = await import('./tick.svelte.ts');
    const products = [product(1)];
    const api = new FakeApi(snapshot(products, [liveSession(1, products)]));
    const desk = createDesk(api);
    const tick = desk.store(createTick);
    vi.advanceTimersByTime(1000);
    expect(tick.now).toBe(T0 + 1000);

    desk.destroy();
    vi.advanceTimersByTime(1000);
    expect(tick.now).toBe(T0 + 1000);
    api.emit({ type: 'product.removed', id: 1 });
    expect(desk.products.map((p) => p.id)).toEqual([1]);
  });
});
