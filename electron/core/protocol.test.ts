// The core's edge: every command input is parsed; bad input is refused with a clear error and changes nothing.
import { describe, expect, it } from 'vitest';
import { testCore } from '../../tests/helpers/core.ts';

describe('protocol validation at the core edge', () => {
  it('refuses unknown commands', async () => {
    const { core } = testCore();
    await expect(core.invoke('product.drop', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(core.invoke('__proto__', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(core.invoke(42, {})).rejects.toMatchObject({ code: 'not_found' });
  });

  it.each([
    ['price as a string', { title: 'a', price: '100' }],
    ['price in yuan with decimals', { title: 'a', price: 99.9 }],
    ['negative price', { title: 'a', price: -1 }],
    ['missing title', { price: 100 }],
    ['empty title', { title: '   ', price: 100 }],
    ['huge title', { title: '货'.repeat(10_000), price: 100 }],
    ['unknown field', { title: 'a', price: 100, admin: true }],
    ['sellingPoints not an array', { title: 'a', price: 100, sellingPoints: 'x' }],
    ['too many selling points', { title: 'a', price: 100, sellingPoints: Array.from({ length: 50 }, (_, i) => `p${i}`) }],
    ['javascript: link', { title: 'a', price: 100, link: 'javascript:alert(1)' }],
    ['control characters', { title: 'a\u0000b', price: 100 }],
    ['not an object', 'title=a'],
    ['null', null],
  ])('product.create refuses %s', async (_name, input) => {
    const { core } = testCore();
    const error = (await core.invoke('product.create', input).catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe('bad_request');
    expect(error.message.length).toBeGreaterThan(5);
    expect(error.message).not.toMatch(/at .*\.ts:\d+/); // never a stack
    expect(core.products.list()).toHaveLength(0);
  });

  it('stores SQL and <script> in titles as plain text, unchanged', async () => {
    const { core } = testCore();
    const nasty = [`'); DROP TABLE products; --`, '<script>alert("x")</script>', '<img src=x onerror=alert(1)>', '"引号" & 😀 表情'];
    for (const title of nasty) await core.call('product.create', { title, price: 100 });
    expect(core.products.list().map((p) => p.title)).toEqual(nasty);
    expect(core.db.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'products'").get()).toEqual({ n: 1 });
  });

  it('ids must be positive integers', async () => {
    const { core } = testCore();
    for (const sessionId of [0, -1, 1.5, '1', 2 ** 60]) {
      await expect(core.invoke('session.pin', { sessionId, productId: 1 })).rejects.toMatchObject({ code: 'bad_request' });
    }
  });

  it('not-found ids answer not_found, not a crash', async () => {
    const { core } = testCore();
    await expect(core.call('session.get', { sessionId: 99 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(core.call('product.update', { id: 99, title: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a duplicate SKU is a conflict', async () => {
    const { core } = testCore();
    await core.call('product.create', { title: 'a', price: 1, sku: 'X' });
    await expect(core.call('product.create', { title: 'b', price: 1, sku: 'X' })).rejects.toMatchObject({ code: 'conflict' });
  });
});
