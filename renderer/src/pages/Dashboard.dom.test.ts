// The live dashboard mounted on a fake Api: its tiles show the figures the core's metrics.snapshot answers, follow
// metrics.tick events, and a source that cannot run shows its reason instead of figures.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { FakeApi } from '../test/fake-api.ts';
import { T0, figures, liveSession, metricsSnapshot, metricsTick, product, snapshot } from '../test/fixtures.ts';
import { byTestId, render, settle, type Rendered } from '../test/render.ts';
import Dashboard from './Dashboard.svelte';

// happy-dom has no canvas 2D context for Chart.js to draw on: the charts module's Chart is replaced by a recorder of
// the data each chart is given (the rest of lib/charts.ts stays real)
const drawn = vi.hoisted(() => [] as { label: string; data: { x: number; y: number }[] }[]);
vi.mock('../lib/charts.ts', async (importOriginal) => {
  type Config = { data: { datasets: { label: string; data: { x: number; y: number }[] }[] }; options: object };
  class RecordingChart {
    data: Config['data'];
    options: Config['options'];
    constructor(_canvas: HTMLCanvasElement, config: Config) {
      this.data = config.data;
      this.options = config.options;
      drawn.push(this.data.datasets[0]!);
    }
    update() {}
    destroy() {}
  }
  return { ...(await importOriginal<typeof import('../lib/charts.ts')>()), Chart: RecordingChart };
});

const products = [product(1, { title: '丝绒口红' })];
const session = liveSession(9, products);

function fakeMetrics() {
  return new FakeApi(snapshot(products, [session]), {
    'metrics.snapshot': ({ sessionId }) =>
      metricsSnapshot(
        sessionId,
        figures({
          onlineNow: 1234,
          peakOnline: 2001,
          viewersUv: 5678,
          viewsPv: 9012,
          gmv: 1_032_000,
          orders: 12,
          productCtr: 0.1234,
          viewerConversion: 0.0021,
        }),
      ),
    'metrics.series': ({ sessionId }) => ({
      sessionId,
      online: [
        [T0 - 2000, 1200],
        [T0 - 1000, 1234],
      ],
      minutes: [],
      segments: [],
    }),
  });
}

const tile = (root: HTMLElement, id: string) => byTestId(root, id).textContent;

describe('live dashboard', () => {
  let view: Rendered | undefined;
  afterEach(() => {
    view?.destroy();
    drawn.length = 0;
  });

  it('shows the figures metrics.snapshot answers for the on-air session, through the presentation module', async () => {
    const api = fakeMetrics();
    view = render(Dashboard, api, { route: '/dashboard' });
    await settle();
    expect(api.inputsOf('metrics.snapshot')).toEqual([{ sessionId: 9 }]);
    expect(api.inputsOf('metrics.series')).toEqual([{ sessionId: 9 }]);

    const root = view.target;
    expect(root.querySelector('.dash-head h2')?.textContent).toBe('场次9');
    expect(tile(root, 'kpi-online')).toBe('1,234');
    expect(tile(root, 'kpi-uv')).toBe('5,678');
    expect(tile(root, 'kpi-gmv')).toBe('¥10,320');
    expect(tile(root, 'kpis')).toContain('12.3%'); // product CTR
    expect(tile(root, 'kpis')).toContain('0.21%'); // viewer conversion, 2 decimals
    // the online chart is drawn from metrics.series
    expect(drawn.map((d) => d.label)).toEqual(['在线人数', '每分钟新增观众', '每分钟 GMV', '观众转化率']);
    expect(drawn[0]!.data).toEqual([
      { x: T0 - 2000, y: 1200 },
      { x: T0 - 1000, y: 1234 },
    ]);
  });

  it('a metrics.tick for the session replaces the figures', async () => {
    const api = fakeMetrics();
    view = render(Dashboard, api, { route: '/dashboard' });
    await settle();

    const tick = metricsTick(9, figures({ onlineNow: 1500, viewersUv: 6000, gmv: 1_100_000, orders: 13 }), T0 + 1000);
    api.emit({ type: 'metrics.tick', tick: { ...tick, online: [[T0 + 500, 1500]] } });
    flushSync();
    expect(tile(view.target, 'kpi-online')).toBe('1,500');
    expect(tile(view.target, 'kpi-uv')).toBe('6,000');
    expect(tile(view.target, 'kpi-gmv')).toBe('¥11,000');
    expect(drawn[0]!.data.at(-1)).toEqual({ x: T0 + 500, y: 1500 }); // the tick's online points extend the chart

    // a tick of another session changes nothing here
    api.emit({ type: 'metrics.tick', tick: metricsTick(10, figures({ onlineNow: 7 }), T0 + 2000) });
    flushSync();
    expect(tile(view.target, 'kpi-online')).toBe('1,500');
  });

  it('a source that cannot run shows its reason and no figures (#13)', async () => {
    const api = fakeMetrics();
    view = render(Dashboard, api, { route: '/dashboard' });
    await settle();

    const tick = metricsTick(9, figures({ onlineNow: 1500 }), T0 + 1000);
    api.emit({ type: 'metrics.tick', tick: { ...tick, sourceStatus: { state: 'error', message: 'errcode 40001: AppSecret 错误' } } });
    flushSync();
    expect(tile(view.target, 'source-cannot-run')).toContain('errcode 40001: AppSecret 错误');
    expect(tile(view.target, 'kpi-online')).toBe('—');
    expect(tile(view.target, 'kpi-gmv')).toBe('—');
  });
});
