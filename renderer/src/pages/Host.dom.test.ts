// The host display mounted on a fake Api: what the host reads from 3 m comes from the snapshot, follows events, and the
// price goes through the presentation module's price rule.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { priceDisplay } from '../lib/format.ts';
import { FakeApi } from '../test/fake-api.ts';
import { T0, liveSession, pinnedAt, product, snapshot } from '../test/fixtures.ts';
import { byTestId, render, settle, type Rendered } from '../test/render.ts';
import Host from './Host.svelte';

// 1 299 950 fen on air for 1 500 000: the host card must show ¥12999.5, exact to the fen (issue 15), and the list price
const lipstick = product(1, { title: '丝绒口红礼盒', price: 1_500_000, livePrice: 1_299_950, sellingPoints: ['持久不脱色', '送礼盒'] });
const serum = product(2, { title: '修护精华', price: 29_900 });
const products = [lipstick, serum];

/** the running time and the planned time, as the timer shows them */
const timer = (root: HTMLElement) => {
  const box = byTestId(root, 'host-timer');
  return [box.querySelector('span')?.textContent, box.querySelector('small')?.textContent?.trim()];
};

describe('host display', () => {
  let view: Rendered | undefined;
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => {
    view?.destroy();
    vi.useRealTimers();
  });

  it('shows the pinned product: title, price through the price rule, selling points, the segment timer', async () => {
    const session = pinnedAt(liveSession(7, products), products, 701, T0 - 65_000);
    view = render(Host, new FakeApi(snapshot(products, [session])), { route: '/host' });
    await settle();
    const root = view.target;

    expect(byTestId(root, 'host-status').textContent).toBe('直播中');
    expect(byTestId(root, 'host-title').textContent).toContain('丝绒口红礼盒');
    expect(byTestId(root, 'host-price').textContent).toBe('¥12999.5');
    expect(byTestId(root, 'host-price').textContent).toBe(priceDisplay(lipstick).now);
    expect(root.querySelector('.host-price s')?.textContent).toContain('¥15000');
    expect([...byTestId(root, 'host-points').querySelectorAll('li')].map((li) => li.textContent)).toEqual(['持久不脱色', '送礼盒']);
    // pinned 65 s ago by the server's clock, 5 min planned
    expect(timer(root)).toEqual(['01:05', '/ 05:00']);
    expect(byTestId(root, 'host-next').textContent).toContain('修护精华');

    vi.advanceTimersByTime(5_000);
    flushSync();
    expect(timer(root)).toEqual(['01:10', '/ 05:00']);
  });

  it('follows session.changed: the next product replaces the card and its timer starts from zero', async () => {
    const session = pinnedAt(liveSession(7, products), products, 701, T0 - 65_000);
    const api = new FakeApi(snapshot(products, [session]));
    view = render(Host, api, { route: '/host' });
    await settle();

    api.emit({ type: 'session.changed', session: pinnedAt(session, products, 702, T0) });
    flushSync();
    const root = view.target;
    expect(byTestId(root, 'host-title').textContent).toContain('修护精华');
    expect(byTestId(root, 'host-price').textContent).toBe('¥299');
    expect(root.querySelector('.host-price s')).toBeNull(); // no live price: no struck-through "was"
    expect(timer(root)).toEqual(['00:00', '/ 05:00']);
    expect(byTestId(root, 'host-next').textContent).toContain('—');
  });

  it('a draft session shows the standby card; going live (an event) brings the pinned product', async () => {
    const draft = liveSession(7, products, { status: 'draft', startedAt: null });
    const api = new FakeApi(snapshot(products, [draft]));
    view = render(Host, api, { route: '/host' });
    await settle();
    expect(byTestId(view.target, 'host-standby').textContent).toContain('待机 · 即将开播');

    api.emit({ type: 'session.changed', session: pinnedAt({ ...draft, status: 'live', startedAt: T0 }, products, 701, T0) });
    flushSync();
    expect(view.target.querySelector('[data-testid="host-standby"]')).toBeNull();
    expect(byTestId(view.target, 'host-price').textContent).toBe('¥12999.5');
  });

  it('?session= naming no session is refused, not replaced by the on-air one', async () => {
    const session = pinnedAt(liveSession(7, products), products, 701, T0);
    const api = new FakeApi(snapshot(products, [session]), {
      'session.get': () => Promise.reject(new Error('not found')),
    });
    view = render(Host, api, { route: '/host?session=99' });
    await settle();
    expect(api.inputsOf('session.get')).toEqual([{ sessionId: 99 }]);
    expect(byTestId(view.target, 'host-standby').textContent).toContain('99');
    expect(view.target.querySelector('[data-testid="host-price"]')).toBeNull();
  });
});
