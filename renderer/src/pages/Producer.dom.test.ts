// The producer console mounted on a fake Api: a pin key or a click sends session.pin to the core, and the row the
// core reports pinned (session.changed) shows as on air.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { SessionState } from '../../../shared/domain.ts';
import { FakeApi } from '../test/fake-api.ts';
import { T0, liveSession, pinnedAt, product, snapshot } from '../test/fixtures.ts';
import { byTestId, render, settle, type Rendered } from '../test/render.ts';
import Producer from './Producer.svelte';

const products = [product(1, { title: '丝绒口红' }), product(2, { title: '修护精华' }), product(3, { title: '防晒喷雾' })];

/** a core that pins as asked: the answer and a session.changed event carry the new state */
function fakeCore(session: SessionState) {
  let state = session;
  const api: FakeApi = new FakeApi(snapshot(products, [session]), {
    'session.pin': ({ lineupItemId }) => {
      state = pinnedAt(state, products, lineupItemId!, T0);
      api.emit({ type: 'session.changed', session: state });
      return state;
    },
    'desk.setCurrent': ({ sessionId }) => ({ currentSessionId: sessionId, prompter: null }),
  });
  return api;
}

const press = (key: string) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
const rows = (root: HTMLElement) => [...byTestId(root, 'lineup').querySelectorAll<HTMLElement>('.lineup-row')];
const pinnedRows = (root: HTMLElement) =>
  rows(root)
    .filter((r) => r.classList.contains('pinned'))
    .map((r) => r.querySelector('[data-testid="item-title"]')?.textContent);

describe('producer console', () => {
  let view: Rendered | undefined;
  beforeEach(() => localStorage.clear());
  afterEach(() => view?.destroy());

  it('a number key pins that lineup row: session.pin reaches the core and the row shows on air', async () => {
    const api = fakeCore(liveSession(5, products));
    view = render(Producer, api);
    await settle();
    expect(rows(view.target).map((r) => r.querySelector('[data-testid="item-title"]')?.textContent)).toEqual([
      '丝绒口红',
      '修护精华',
      '防晒喷雾',
    ]);
    expect(pinnedRows(view.target)).toEqual([]);

    press('2');
    await settle();
    expect(api.inputsOf('session.pin')).toEqual([{ sessionId: 5, lineupItemId: 502 }]);
    expect(pinnedRows(view.target)).toEqual(['修护精华']);
    expect(byTestId(view.target, 'pinned-title').textContent).toBe('修护精华');
  });

  it('the ▶ button of a row pins it; the on-air mark moves to that row', async () => {
    const session = liveSession(5, products);
    const api = fakeCore(pinnedAt(session, products, 501, T0 - 60_000));
    view = render(Producer, api);
    await settle();
    expect(pinnedRows(view.target)).toEqual(['丝绒口红']);

    rows(view.target)[2]!.querySelector<HTMLButtonElement>('[data-testid="pin-item"]')!.click();
    await settle();
    expect(api.inputsOf('session.pin')).toEqual([{ sessionId: 5, lineupItemId: 503 }]);
    expect(pinnedRows(view.target)).toEqual(['防晒喷雾']);
  });

  it('before the session is live a pin key sends nothing and says why', async () => {
    const api = fakeCore(liveSession(5, products, { status: 'draft', startedAt: null }));
    view = render(Producer, api);
    await settle();

    press('1');
    await settle();
    flushSync();
    expect(api.inputsOf('session.pin')).toEqual([]);
    expect(view.desk.toasts.map((t) => t.text)).toEqual(['还没开播：先点「开播」，空格和置顶键才会生效']);
    expect(pinnedRows(view.target)).toEqual([]);
  });
});
