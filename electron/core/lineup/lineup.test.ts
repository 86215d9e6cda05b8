import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import type { CoreEvent } from '../../../shared/protocol/index.ts';

async function setup() {
  const t = testCore();
  const { core } = t;
  const a = await core.call('product.create', { title: '普洱茶', price: 29900, livePrice: 19900, sku: 'A' });
  const b = await core.call('product.create', { title: '四件套', price: 25900, sku: 'B' });
  const c = await core.call('product.create', { title: '大米', price: 12800 });
  const s = await core.call('session.create', { title: '双十二', productIds: [a.id, b.id, c.id] });
  return { ...t, a, b, c, s };
}

describe('sessions, lineup and pins', () => {
  it('creates a draft session with the lineup in the given order', async () => {
    const { s, a, b, c } = await setup();
    expect(s.status).toBe('draft');
    expect(s.lineup.map((i) => i.productId)).toEqual([a.id, b.id, c.id]);
    expect(s.lineup.map((i) => i.position)).toEqual([1, 2, 3]);
    expect(s.pinned).toBeNull();
    expect(s.next?.productId).toBe(a.id);
  });

  it('refuses to pin before the session is live, and after it ended', async () => {
    const { core, s, a } = await setup();
    await expect(core.call('session.pin', { sessionId: s.id, productId: a.id })).rejects.toMatchObject({ code: 'conflict' });
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.end', { sessionId: s.id });
    await expect(core.call('session.pin', { sessionId: s.id, productId: a.id })).rejects.toMatchObject({ code: 'conflict' });
    await expect(core.call('session.start', { sessionId: s.id })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('pin opens a segment; pinning another closes it at the same instant; unpin closes it', async () => {
    const { core, s, a, b, advance } = await setup();
    await core.call('session.start', { sessionId: s.id });
    const p1 = await core.call('session.pin', { sessionId: s.id, productId: a.id });
    expect(p1.pinned?.id).toBe(a.id);
    expect(p1.segment?.endedAt).toBeNull();
    advance(90_000);
    const p2 = await core.call('session.pin', { sessionId: s.id, productId: b.id });
    expect(p2.pinned?.id).toBe(b.id);
    advance(30_000);
    const p3 = await core.call('session.unpin', { sessionId: s.id });
    expect(p3.pinned).toBeNull();
    const segs = core.sessions.segments(s.id);
    expect(segs).toHaveLength(2);
    expect(segs[0]!.endedAt! - segs[0]!.startedAt).toBe(90_000);
    expect(segs[1]!.startedAt).toBe(segs[0]!.endedAt);
    expect(segs[1]!.endedAt! - segs[1]!.startedAt).toBe(30_000);
  });

  it('pinning the product already on pin does not open a new segment', async () => {
    const { core, s, a } = await setup();
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, productId: a.id });
    const again = await core.call('session.pin', { sessionId: s.id, productId: a.id });
    expect(again.segmentsCount).toBe(1);
  });

  it('next walks the lineup from the pinned item, then says the lineup has ended', async () => {
    const { core, s, a, b, c } = await setup();
    await core.call('session.start', { sessionId: s.id });
    expect((await core.call('session.next', { sessionId: s.id })).pinned?.id).toBe(a.id);
    expect((await core.call('session.next', { sessionId: s.id })).pinned?.id).toBe(b.id);
    const third = await core.call('session.next', { sessionId: s.id });
    expect(third.pinned?.id).toBe(c.id);
    expect(third.next).toBeNull();
    await expect(core.call('session.next', { sessionId: s.id })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('after unpin, next continues after the last pinned item', async () => {
    const { core, s, b } = await setup();
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.next', { sessionId: s.id });
    await core.call('session.unpin', { sessionId: s.id });
    const st = await core.call('session.next', { sessionId: s.id });
    expect(st.pinned?.id).toBe(b.id);
  });

  it('ending a session closes the open segment', async () => {
    const { core, s, a, advance } = await setup();
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, productId: a.id });
    advance(5000);
    const ended = await core.call('session.end', { sessionId: s.id });
    expect(ended.status).toBe('ended');
    expect(ended.pinned).toBeNull();
    expect(core.sessions.segments(s.id)[0]!.endedAt).toBe(ended.endedAt);
  });

  it('reorder needs every item exactly once; removing the pinned item is refused', async () => {
    const { core, s } = await setup();
    const ids = s.lineup.map((i) => i.id);
    const re = await core.call('lineup.reorder', { sessionId: s.id, itemIds: [ids[2]!, ids[0]!, ids[1]!] });
    expect(re.lineup.map((i) => i.id)).toEqual([ids[2], ids[0], ids[1]]);
    await expect(core.call('lineup.reorder', { sessionId: s.id, itemIds: [ids[0]!, ids[1]!] })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(core.call('lineup.reorder', { sessionId: s.id, itemIds: [ids[0]!, ids[0]!, ids[1]!] })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, lineupItemId: ids[1]! });
    await expect(core.call('lineup.remove', { itemId: ids[1]! })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('lineup items keep planned minutes, talking points and notes', async () => {
    const { core, s } = await setup();
    const item = await core.call('lineup.update', { itemId: s.lineup[0]!.id, plannedMinutes: 12, talkingPoints: '先试吃', notes: '备货 300' });
    expect(item).toMatchObject({ plannedMinutes: 12, talkingPoints: '先试吃', notes: '备货 300' });
  });

  it('a template saved from one session builds the next one', async () => {
    const { core, s } = await setup();
    await core.call('lineup.update', { itemId: s.lineup[1]!.id, plannedMinutes: 9, talkingPoints: '上身展示' });
    const tpl = await core.call('template.saveFromSession', { sessionId: s.id, name: '周末专场' });
    const s2 = await core.call('session.create', { title: '下一场', templateId: tpl.id });
    expect(s2.lineup.map((i) => [i.productId, i.plannedMinutes, i.talkingPoints])).toEqual(
      s.lineup.map((i, k) => [i.productId, k === 1 ? 9 : i.plannedMinutes, k === 1 ? '上身展示' : i.talkingPoints]),
    );
  });

  it('emits session.changed after each committed change, with the new state', async () => {
    const { core, s, a } = await setup();
    const seen: CoreEvent[] = [];
    core.subscribe((e) => seen.push(e));
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, productId: a.id });
    const last = seen.at(-1);
    expect(last?.type).toBe('session.changed');
    expect(last?.type === 'session.changed' && last.session.pinned?.id).toBe(a.id);
    // a refused command emits nothing
    const before = seen.length;
    await core.call('session.pin', { sessionId: s.id, productId: 999 }).catch(() => {});
    expect(seen.length).toBe(before);
  });

  it('a product in an active lineup cannot be deleted; otherwise it disappears from the catalog', async () => {
    const { core, a } = await setup();
    await expect(core.call('product.delete', { id: a.id })).rejects.toMatchObject({ code: 'conflict' });
    const free = await core.call('product.create', { title: '单品', price: 100, sku: 'FREE' });
    await core.call('product.delete', { id: free.id });
    expect((await core.call('products.list')).some((p) => p.id === free.id)).toBe(false);
    // its SKU is free again
    await expect(core.call('product.create', { title: '新单品', price: 100, sku: 'FREE' })).resolves.toMatchObject({ sku: 'FREE' });
  });

  it('state survives closing and reopening the database', async () => {
    const { core, s, a } = await setup();
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, productId: a.id });
    const dir = core.dataDir;
    core.close();
    const again = testCore({ dataDir: dir });
    const st = await again.core.call('session.get', { sessionId: s.id });
    expect(st.status).toBe('live');
    expect(st.pinned?.title).toBe('普洱茶');
    again.core.close();
  });

  it('seeds a demo catalog and a rehearsal session on an empty data folder, once', () => {
    const t = testCore({ seedDemo: true });
    const products = t.core.products.list();
    expect(products.length).toBeGreaterThanOrEqual(8);
    expect(products.every((p) => Number.isInteger(p.price) && p.price > 0)).toBe(true);
    const sessions = t.core.sessions.list();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.lineupCount).toBe(products.length);
    const dir = t.core.dataDir;
    t.core.close();
    const again = testCore({ dataDir: dir, seedDemo: true });
    expect(again.core.products.list()).toHaveLength(products.length);
    again.core.close();
  });
});
