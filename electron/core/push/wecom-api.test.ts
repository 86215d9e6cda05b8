// The WeCom client and the quota window, against the same documented fake the integration tests use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WecomFake } from '../../../tests/fakes/wecom-customer.ts';
import { quotaWindow } from './customer.ts';
import { checkApiBase, WecomApi, WecomApiError } from './wecom-api.ts';

describe('quota window (doc 92135: days of the month, or 7 a week / 1 a day)', () => {
  // 2026-02-10 12:00 in China (UTC+8) = 04:00 UTC
  const feb10 = Date.UTC(2026, 1, 10, 4);
  it('month: the limit is the number of days of that month, counted from the 1st in China time', () => {
    expect(quotaWindow('month', feb10)).toEqual({ start: Date.UTC(2026, 0, 31, 16), limit: 28 });
    expect(quotaWindow('month', Date.UTC(2026, 6, 15)).limit).toBe(31);
    // 2026-03-31 23:30 UTC is already April 1st in China
    expect(quotaWindow('month', Date.UTC(2026, 2, 31, 23, 30))).toEqual({ start: Date.UTC(2026, 2, 31, 16), limit: 30 });
  });
  it('week from Monday, day from midnight (China time)', () => {
    expect(quotaWindow('week', feb10)).toEqual({ start: Date.UTC(2026, 1, 8, 16), limit: 7 }); // Mon 9 Feb 00:00 +08
    expect(quotaWindow('day', feb10)).toEqual({ start: Date.UTC(2026, 1, 9, 16), limit: 1 });
  });
});

describe('WecomApi', () => {
  let fake: WecomFake;
  beforeAll(async () => {
    fake = new WecomFake([{ chatId: 'wrA', name: 'A', owner: 'anna', members: 3 }]);
    await fake.listen();
  });
  afterAll(() => fake.close());
  const Any = z.object({ group_chat_list: z.array(z.object({ chat_id: z.string() })) });

  it('caches the token, and after 42001 fetches a new one and repeats the call once', async () => {
    const api = new WecomApi({ base: fake.base, credentials: () => ({ corpId: fake.corpId, secret: fake.secret }) });
    const before = fake.calls('gettoken').length;
    await api.call('/cgi-bin/externalcontact/groupchat/list', { limit: 10 }, Any);
    await api.call('/cgi-bin/externalcontact/groupchat/list', { limit: 10 }, Any);
    expect(fake.calls('gettoken').length - before).toBe(1);
    fake.expireTokens();
    const r = await api.call('/cgi-bin/externalcontact/groupchat/list', { limit: 10 }, Any);
    expect(r.group_chat_list).toEqual([{ chat_id: 'wrA' }]);
    expect(fake.calls('gettoken').length - before).toBe(2);
    expect(fake.requests.at(-3)!.errcode).toBe(42001);
  });

  it('a wrong secret is explained, not retried; a missing one says what to set', async () => {
    const bad = new WecomApi({ base: fake.base, credentials: () => ({ corpId: fake.corpId, secret: 'nope' }) });
    await expect(bad.call('/cgi-bin/externalcontact/groupchat/list', { limit: 10 }, Any)).rejects.toThrow(/40001.*客户联系 secret/);
    const none = new WecomApi({ base: fake.base, credentials: () => null });
    const e = await none.call('/cgi-bin/externalcontact/groupchat/list', { limit: 10 }, Any).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WecomApiError);
    expect((e as Error).message).toMatch(/CorpID/);
  });

  it('a refused connection never "may have reached" WeCom; only https or loopback http is allowed', async () => {
    const api = new WecomApi({ base: 'http://127.0.0.1:9', credentials: () => ({ corpId: 'c', secret: 's' }) });
    const e = (await api.call('/x', {}, Any).catch((x: unknown) => x)) as WecomApiError;
    expect(e.transient).toBe(true);
    expect(e.mayHaveReached).toBe(false);
    expect(checkApiBase('http://qyapi.example.com')).toMatch(/https/);
    expect(checkApiBase('https://qyapi.weixin.qq.com')).toBeNull();
  });
});
