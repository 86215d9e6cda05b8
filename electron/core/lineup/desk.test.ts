// #13: the desk under pressure, core side: decimal planned minutes, one live session, the on-air session followers
// use, the host teleprompter, a mid-show price change re-sent to the views of the pinned session, stored images.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { gradientPng } from '../../../tests/helpers/png.ts';
import type { CoreEvent } from '../../../shared/protocol/index.ts';
import { MAX_IMAGE_BYTES, readStoredImage, sniffImage } from '../images.ts';

async function setup() {
  const t = testCore();
  const a = await t.core.call('product.create', { title: '普洱茶', price: 29900, livePrice: 19900 });
  const b = await t.core.call('product.create', { title: '四件套', price: 25900 });
  const s1 = await t.core.call('session.create', { title: '早场', productIds: [a.id, b.id] });
  const s2 = await t.core.call('session.create', { title: '晚场', productIds: [b.id] });
  return { ...t, a, b, s1, s2 };
}

describe('decimal planned minutes', () => {
  it('keeps 2.5 minutes (150 s), in the lineup, templates and the report', async () => {
    const { core, s1 } = await setup();
    const item = await core.call('lineup.update', { itemId: s1.lineup[0]!.id, plannedMinutes: 2.5 });
    expect(item.plannedMinutes).toBe(2.5);
    expect(core.db.prepare('SELECT planned_seconds, planned_minutes FROM lineup_items WHERE id = ?').get(item.id)).toEqual({ planned_seconds: 150, planned_minutes: 3 });
    const added = await core.call('lineup.add', { sessionId: s1.id, productId: s1.lineup[1]!.productId, plannedMinutes: 0.75 });
    expect(added.plannedMinutes).toBe(0.75);
    const tpl = await core.call('template.saveFromSession', { sessionId: s1.id, name: 'T' });
    expect(tpl.items[0]!.plannedMinutes).toBe(2.5);
  });

  it('refuses minutes that do not come to whole seconds, and out-of-range ones', async () => {
    const { core, s1 } = await setup();
    await expect(core.call('lineup.update', { itemId: s1.lineup[0]!.id, plannedMinutes: 2.001 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(core.call('lineup.update', { itemId: s1.lineup[0]!.id, plannedMinutes: 601 })).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('one on-air session', () => {
  it('refuses to start a second live session, naming the live one', async () => {
    const { core, s1, s2 } = await setup();
    await core.call('session.start', { sessionId: s1.id });
    await expect(core.call('session.start', { sessionId: s2.id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('早场') });
    await core.call('session.end', { sessionId: s1.id });
    await expect(core.call('session.start', { sessionId: s2.id })).resolves.toMatchObject({ status: 'live' });
  });

  it('the current session is the live one, else the producer’s choice (kept after 下播), announced by desk.changed', async () => {
    const { core, s1, s2 } = await setup();
    const events: CoreEvent[] = [];
    core.subscribe((e) => events.push(e));
    expect(core.currentSessionId()).toBeNull();
    await core.call('desk.setCurrent', { sessionId: s2.id });
    expect(core.snapshot().ext.desk).toEqual({ currentSessionId: s2.id, prompter: null });
    await core.call('session.start', { sessionId: s1.id });
    expect(core.currentSessionId()).toBe(s1.id);
    await core.call('session.end', { sessionId: s1.id });
    // after 下播 the followers still show that session (已下播), not the first draft
    expect(core.currentSessionId()).toBe(s1.id);
    expect(events.filter((e) => e.type === 'desk.changed').map((e) => (e as { desk: { currentSessionId: number } }).desk.currentSessionId)).toEqual([s2.id, s1.id, s1.id]);
    await expect(core.call('desk.setCurrent', { sessionId: 999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the teleprompter position belongs to an item of that session', async () => {
    const { core, s1, s2 } = await setup();
    const d = await core.call('host.prompter', { sessionId: s1.id, itemId: s1.lineup[0]!.id, ratio: 0.4 });
    expect(d.prompter).toEqual({ sessionId: s1.id, itemId: s1.lineup[0]!.id, ratio: 0.4 });
    await expect(core.call('host.prompter', { sessionId: s2.id, itemId: s1.lineup[0]!.id, ratio: 0.1 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(core.call('host.prompter', { sessionId: s1.id, itemId: s1.lineup[0]!.id, ratio: 1.5 })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('a price change of the pinned product re-sends that session’s state with the new price', async () => {
    const { core, s1, a } = await setup();
    await core.call('session.start', { sessionId: s1.id });
    await core.call('session.pin', { sessionId: s1.id, productId: a.id });
    const events: CoreEvent[] = [];
    core.subscribe((e) => events.push(e));
    await core.call('product.update', { id: a.id, livePrice: 8880 });
    const changed = events.find((e) => e.type === 'session.changed');
    expect(changed && changed.type === 'session.changed' && changed.session.pinned?.livePrice).toBe(8880);
  });
});

describe('product images in the data folder', () => {
  it('stores a PNG once under its sha256, serves it back, and refuses what is not an image or too large', async () => {
    const { core, a } = await setup();
    const png = gradientPng(40, 30);
    const first = await core.call('image.store', { base64: png.toString('base64') });
    const again = await core.call('image.store', { base64: png.toString('base64') });
    expect(first.url).toMatch(/^\/images\/[0-9a-f]{64}\.png$/);
    expect(again.url).toBe(first.url);
    expect(fs.readdirSync(path.join(core.dataDir, 'images'))).toHaveLength(1);
    expect(readStoredImage(core.dataDir, first.url.slice('/images/'.length))?.contentType).toBe('image/png');
    expect(readStoredImage(core.dataDir, '../livecue.sqlite')).toBeNull();
    // the stored path is a valid imageUrl; an arbitrary path is not
    await expect(core.call('product.update', { id: a.id, imageUrl: first.url })).resolves.toMatchObject({ imageUrl: first.url });
    await expect(core.call('product.update', { id: a.id, imageUrl: '/etc/passwd' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(core.call('image.store', { base64: Buffer.from('<svg onload=alert(1)>').toString('base64') })).rejects.toMatchObject({ code: 'bad_request' });
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    png.copy(big);
    await expect(core.call('image.store', { base64: big.toString('base64') })).rejects.toMatchObject({ code: 'too_large' });
  });

  it('recognises JPEG, WebP and GIF by their signatures', () => {
    expect(sniffImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpg');
    expect(sniffImage(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImage(new TextEncoder().encode('GIF89a....'))).toBe('gif');
    expect(sniffImage(new TextEncoder().encode('%PDF-1.7'))).toBeNull();
  });
});

describe('global shortcuts config', () => {
  it('is off by default, refuses a bare typing key in words, stores a valid one and announces it', async () => {
    const { core } = await setup();
    expect(await core.call('shortcuts.get', {})).toMatchObject({ enabled: false });
    await expect(core.call('shortcuts.set', { enabled: true, bindings: { next: 'Space', unpin: null } })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('修饰键'),
    });
    const events: CoreEvent[] = [];
    core.subscribe((e) => events.push(e));
    const config = { enabled: true, bindings: { next: 'CommandOrControl+Alt+Right', unpin: 'F9' } };
    await core.call('shortcuts.set', config);
    expect(await core.call('shortcuts.get', {})).toEqual(config);
    expect(events).toEqual([{ type: 'shortcuts.changed', shortcuts: config }]);
  });
});
