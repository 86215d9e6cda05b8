// Review routes against a real `serve` child: report, replay, compare and the sessions list over HTTP, and their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
});
afterAll(async () => {
  await s?.stop();
});

async function endedSession(title: string) {
  const a = await s.api('POST', '/api/v1/products', { title: '普洱茶', price: 29900, livePrice: 19900 });
  const b = await s.api('POST', '/api/v1/products', { title: '大米', price: 12800 });
  const sess = await s.api('POST', '/api/v1/sessions', { title, productIds: [a.body.id, b.body.id] });
  const id = sess.body.id as number;
  expect((await s.api('PUT', `/api/v1/sessions/${id}/metrics/source`, { source: 'ingest' })).status).toBe(200);
  await s.api('POST', `/api/v1/sessions/${id}/start`);
  const pinned = await s.api('POST', `/api/v1/sessions/${id}/pin`, { productId: a.body.id });
  const pinAt = pinned.body.segment.startedAt as number;
  const events = [
    { type: 'reading', ts: pinAt + 1, online: 40, viewersUv: 50, viewsPv: 60, products: [{ productId: a.body.id, exposureUv: 20, clickUv: 4, payUv: 1 }] },
    { type: 'order', ts: pinAt + 2, orderId: '3705115058471208928', amount: 19900, productId: a.body.id, status: 'paid' },
  ];
  expect((await s.api('POST', `/api/v1/sessions/${id}/events`, { events })).body).toEqual({ stored: 2, duplicates: 0 });
  await new Promise((r) => setTimeout(r, 20));
  await s.api('POST', `/api/v1/sessions/${id}/end`);
  return { id, a: a.body, b: b.body, pinAt };
}

describe('review HTTP routes', () => {
  it('report, replay, compare and the sessions list answer with the documented shapes', async () => {
    const one = await endedSession('复盘 HTTP 一');
    const two = await endedSession('复盘 HTTP 二');

    const rep = await s.api('GET', `/api/v1/sessions/${one.id}/report`);
    expect(rep.status).toBe(200);
    expect(rep.body).toMatchObject({ session: { id: one.id, status: 'ended', source: 'ingest' }, provisional: false });
    expect(rep.body.summary).toMatchObject({ gmv: 19900, orders: 1, viewersUv: 50, peakOnline: 40 });
    expect(rep.body.products[0]).toMatchObject({ productId: one.a.id, title: '普洱茶', timesPinned: 1, orders: 1, gmv: 19900, ctrDuring: 0.2 });
    expect(rep.body.segments).toHaveLength(1);
    expect(rep.body.summary.lines.length).toBeGreaterThanOrEqual(4);

    const frame = await s.api('GET', `/api/v1/sessions/${one.id}/replay?at=${one.pinAt + 5}`);
    expect(frame.status).toBe(200);
    expect(frame.body).toMatchObject({ at: one.pinAt + 5, pinned: { productId: one.a.id, livePrice: 19900 }, next: { productId: one.b.id }, online: 40 });

    const cmp = await s.api('GET', `/api/v1/review/compare?a=${one.id}&b=${two.id}`);
    expect(cmp.status).toBe(200);
    expect(cmp.body.a).toMatchObject({ sessionId: one.id, title: '复盘 HTTP 一' });
    expect(cmp.body.b.minutes[0]).toMatchObject({ m: 0 });

    const list = await s.api('GET', `/api/v1/review/sessions?q=${encodeURIComponent('HTTP 二')}&status=ended`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ id: two.id, gmv: 19900, orders: 1, viewersUv: 50, source: 'ingest' })]);
    const none = await s.api('GET', `/api/v1/review/sessions?from=${one.pinAt + 3_600_000}`);
    expect(none.body).toEqual([]);
  });

  it('bad ids and inputs: 404 / 400 with {error:{code,message}}', async () => {
    const one = await endedSession('错误');
    const cases: [string, number, string][] = [
      ['/api/v1/sessions/9999/report', 404, 'not_found'],
      ['/api/v1/sessions/9999/replay?at=1', 404, 'not_found'],
      [`/api/v1/review/compare?a=${one.id}&b=9999`, 404, 'not_found'],
      ['/api/v1/sessions/abc/report', 400, 'bad_request'],
      [`/api/v1/sessions/${one.id}/replay`, 400, 'bad_request'],
      [`/api/v1/sessions/${one.id}/replay?at=soon`, 400, 'bad_request'],
      ['/api/v1/review/compare?a=1', 400, 'bad_request'],
      ['/api/v1/review/sessions?status=bogus', 400, 'bad_request'],
      ['/api/v1/review/sessions?from=yesterday', 400, 'bad_request'],
    ];
    for (const [p, status, code] of cases) {
      const res = await s.api('GET', p);
      expect([p, res.status, res.body.error?.code]).toEqual([p, status, code]);
      expect(typeof res.body.error.message).toBe('string');
    }
  });
});
