import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { dingtalk, dingtalkSign } from './dingtalk.ts';
import { feishu, feishuSign } from './feishu.ts';
import { PushModule } from './module.ts';
import type { Message } from './platform.ts';
import { maskUrl } from './platform.ts';
import { checkChannelUrl } from './platforms.ts';
import { RateLimiter } from './sender.ts';
import { renderTemplate, unknownVariables } from './templates.ts';
import { webhookSignature } from './webhook.ts';
import { wecom } from './wecom.ts';

const msg = (over: Partial<Message> = {}): Message => ({
  format: 'text',
  title: '',
  text: 'hi',
  link: 'https://channels.weixin.qq.com/live/x',
  button: '进入直播间',
  imageUrl: null,
  qrPng: null,
  ...over,
});

describe('signing', () => {
  it('DingTalk: HMAC key = secret, message = timestamp\\nsecret', () => {
    const expected = createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64');
    expect(dingtalkSign('SECabc', 1_700_000_000_000)).toBe(expected);
    const signed = dingtalk.sign('https://oapi.dingtalk.com/robot/send?access_token=t', 'SECabc', { msgtype: 'text' }, { now: 1_700_000_000_000, deliveryId: 1 });
    const u = new URL(signed.url);
    expect(u.searchParams.get('timestamp')).toBe('1700000000000');
    expect(u.searchParams.get('sign')).toBe(expected); // URLSearchParams decodes the urlencoded value
    expect(signed.url).not.toContain(expected.replace(/\+/g, ' ')); // "+" and "/" are percent-encoded in the URL
  });

  it('Feishu: the quirk — HMAC key = timestamp\\nsecret, message empty, seconds, in the body', () => {
    const expected = createHmac('sha256', '1700000000\nsec').update('').digest('base64');
    expect(feishuSign('sec', 1_700_000_000)).toBe(expected);
    // the DingTalk construction gives a different value: mixing them up is the classic 19021
    expect(feishuSign('sec', 1_700_000_000)).not.toBe(createHmac('sha256', 'sec').update('1700000000\nsec').digest('base64'));
    const body = JSON.parse(feishu.sign('https://open.feishu.cn/open-apis/bot/v2/hook/h', 'sec', { msg_type: 'text' }, { now: 1_700_000_000_999, deliveryId: 1 }).body);
    expect(body).toMatchObject({ timestamp: '1700000000', sign: expected, msg_type: 'text' });
  });

  it('generic webhook: sha256=hex(HMAC(secret, timestamp.body)) and a stable delivery id', () => {
    expect(webhookSignature('k', 5, '{}')).toBe(`sha256=${createHmac('sha256', 'k').update('5.{}').digest('hex')}`);
  });
});

describe('formats and byte limits', () => {
  it('WeCom text ≤ 2048 bytes counted in UTF-8, markdown ≤ 4096, card → news', () => {
    const [text] = wecom.parts(msg({ text: '播'.repeat(683) })); // 2049 bytes
    expect([text!.msgtype, text!.bytes, text!.limit]).toEqual(['text', 2049, 2048]);
    const [md] = wecom.parts(msg({ format: 'markdown', title: 't', text: 'x' }));
    expect(md!.body).toEqual({ msgtype: 'markdown', markdown: { content: '### t\nx\n[进入直播间](https://channels.weixin.qq.com/live/x)' } });
    const [news] = wecom.parts(msg({ format: 'card', title: '标题', text: '描述' }));
    expect(news!.body).toEqual({ msgtype: 'news', news: { articles: [{ title: '标题', description: '描述', url: 'https://channels.weixin.qq.com/live/x' }] } });
    const [, qr] = wecom.parts(msg({ qrPng: Buffer.from('png') }));
    expect(qr!.body).toEqual({ msgtype: 'image', image: { base64: 'cG5n', md5: createHash('md5').update('png').digest('hex') } });
  });

  it('DingTalk card → actionCard with a single button; Feishu card → interactive with a button, markdown → post', () => {
    expect(dingtalk.parts(msg({ format: 'card', title: 't' }))[0]!.body).toMatchObject({
      msgtype: 'actionCard',
      actionCard: { title: 't', singleTitle: '进入直播间', singleURL: 'https://channels.weixin.qq.com/live/x' },
    });
    const post = feishu.parts(msg({ format: 'markdown', title: 't', text: '看 https://a.example/x 吧' }))[0]!.body as any;
    expect(post.content.post.zh_cn.content[0]).toEqual([
      { tag: 'text', text: '看 ' },
      { tag: 'a', text: 'https://a.example/x', href: 'https://a.example/x' },
      { tag: 'text', text: ' 吧' },
    ]);
    const [big] = feishu.parts(msg({ format: 'card', text: 'x'.repeat(21_000) }));
    expect(big!.bytes).toBeGreaterThan(big!.limit);
  });

  it('reads the body, not the HTTP status: 200 + errcode decides', () => {
    expect(wecom.classify(200, { errcode: 0 }, '')).toEqual({ kind: 'sent' });
    expect(wecom.classify(200, { errcode: 45009 }, '').kind).toBe('retry');
    expect(wecom.classify(200, { errcode: 93000 }, '').kind).toBe('failed');
    expect(wecom.classify(200, { errcode: 12345, errmsg: 'new' }, '').kind).toBe('failed'); // unknown codes never retry
    expect(wecom.classify(200, null, '<html>').kind).toBe('unknown');
    expect(wecom.classify(502, null, '').kind).toBe('retry');
    expect(dingtalk.classify(200, { errcode: 130101 }, '').kind).toBe('retry');
    expect(dingtalk.classify(200, { errcode: 310000, errmsg: 'keywords not in content' }, '')).toMatchObject({ kind: 'failed' });
    expect(feishu.classify(200, { code: 11232 }, '').kind).toBe('retry');
    for (const code of [19021, 19022, 19024]) expect(feishu.classify(200, { code }, '').kind).toBe('failed');
    expect(feishu.classify(200, { StatusCode: 0 }, '').kind).toBe('sent');
  });
});

describe('URLs and secrets', () => {
  it('https only, plain http only to loopback; each kind checks its URL shape', () => {
    expect(checkChannelUrl('wecom', 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a')).toMatch(/https/);
    expect(checkChannelUrl('wecom', 'http://127.0.0.1:8080/cgi-bin/webhook/send?key=a')).toBeNull();
    expect(checkChannelUrl('webhook', 'http://[::1]:8080/x')).toBeNull();
    expect(checkChannelUrl('webhook', 'http://localhost/x')).toBeNull();
    expect(checkChannelUrl('webhook', 'http://192.168.1.5/x')).toMatch(/https/);
    expect(checkChannelUrl('webhook', 'http://127.0.0.1.evil.com/x')).toMatch(/https/);
    expect(checkChannelUrl('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send')).toMatch(/key/);
    expect(checkChannelUrl('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=abc')).toBeNull();
    expect(checkChannelUrl('feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/')).toMatch(/Feishu/);
  });

  it('masks the key inside a robot URL', () => {
    expect(maskUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa')).toBe(
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5aaa',
    );
    expect(maskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd')).toBe(
      'https://open.feishu.cn/open-apis/bot/v2/hook/****86fd',
    );
  });
});

describe('rate limiter', () => {
  it('never more than max in any window (+ margin): a token comes back one window after it was spent', () => {
    const l = new RateLimiter(1);
    const limits = [{ max: 20, windowMs: 60_000 }];
    for (let i = 0; i < 20; i++) {
      expect(l.waitMs(1, limits, 1_000 + i)).toBe(0);
      l.record(1, 1_000 + i);
    }
    expect(l.waitMs(1, limits, 1_020)).toBe(61_000 - 20);
    expect(l.waitMs(1, limits, 62_000)).toBe(0);
    expect(l.waitMs(2, limits, 1_020)).toBe(0); // per robot
  });
});

describe('templates', () => {
  it('fills variables and rejects unknown ones', () => {
    const ctx = {
      title: '今晚直播',
      link: 'https://l',
      startTime: 1_000_000 + 29.5 * 60_000,
      product: { title: '面膜', price: 19900, livePrice: 9900, coupon: '满199减20' } as any,
      now: 1_000_000,
    };
    expect(renderTemplate('{{title}} {{minutesToStart}}分钟 {{product}} {{livePrice}} {{coupon}} {{link}}', ctx)).toBe(
      '今晚直播 30分钟 面膜 ¥99 满199减20 https://l',
    );
    expect(unknownVariables('{{title}} {{tittle}}')).toEqual(['tittle']);
  });
});

describe('triggers', () => {
  async function setup() {
    const t = testCore({ start: 1_800_000_000_000 });
    const push = new PushModule({ reminderTickMs: 3_600_000, countdownMs: 0 });
    push.attach(t.core);
    // no sender start: nothing leaves; we only look at what is queued
    const ch = await t.core.call('push.channel.create', { kind: 'wecom', name: 'g', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', tags: ['VIP群'] });
    for (const r of push.store.listRules()) await t.core.call('push.rule.save', { ...r, enabled: true });
    return Object.assign(t, { push, ch });
  }

  it('T-30 and T-5 reminders each fire once; a desk opened late sends only the closest one', async () => {
    const t = await setup();
    const start = t.now + 40 * 60_000;
    const s = await t.core.call('session.create', { title: 's', plannedStart: start });
    const late = await t.core.call('session.create', { title: 'late', plannedStart: t.now + 3 * 60_000 });
    t.push.triggers.tick(t.now);
    expect(t.push.store.pushesOf(s.id)).toHaveLength(0);
    t.advance(11 * 60_000); // T-29
    t.push.triggers.tick(t.now);
    t.push.triggers.tick(t.now);
    expect(t.push.store.pushesOf(s.id).map((p) => p.title)).toEqual(['【29 分钟后开播】s']);
    t.advance(25 * 60_000); // T-4
    t.push.triggers.tick(t.now);
    t.push.triggers.tick(t.now);
    expect(t.push.store.pushesOf(s.id)).toHaveLength(2);
    // "late" (opened at T-3) was due for both at once: only the T-5 reminder went out, and nothing after its start
    const t5 = t.push.store.listRules().find((r) => r.offsetMinutes === 5)!;
    expect(t.push.store.pushesOf(late.id).map((p) => p.ruleId)).toEqual([t5.id]);
    t.core.close();
  });

  it('pinning a 爆款 fires once per session; OBS stream start fires once', async () => {
    const t = await setup();
    const hot = await t.core.call('product.create', { title: '爆款面膜', price: 100, hot: true });
    const plain = await t.core.call('product.create', { title: '普通', price: 100 });
    const s = await t.core.call('session.create', { title: 's', productIds: [hot.id, plain.id] });
    t.push.triggers.start();
    await t.core.call('session.start', { sessionId: s.id });
    await t.core.call('session.pin', { sessionId: s.id, productId: plain.id });
    expect(t.push.store.pushesOf(s.id)).toHaveLength(0);
    await t.core.call('session.pin', { sessionId: s.id, productId: hot.id });
    await t.core.call('session.pin', { sessionId: s.id, productId: plain.id });
    await t.core.call('session.pin', { sessionId: s.id, productId: hot.id });
    expect(t.push.store.pushesOf(s.id).map((p) => [p.trigger, p.title])).toEqual([['hot_pin', '🔥 爆款上架：爆款面膜']]);
    t.core.emit({ type: 'obs.streamStarted' } as any);
    t.core.emit({ type: 'obs.streamStarted' } as any);
    expect(t.push.store.pushesOf(s.id).map((p) => p.trigger)).toEqual(['hot_pin', 'stream_start']);
    // the database itself refuses a second firing of the same rule
    const rule = t.push.store.listRules().find((r) => r.kind === 'hot_pin')!;
    expect(() =>
      t.core.db.prepare("INSERT INTO pushes (session_id, trigger, rule_id, format, title, text, created_at) VALUES (?, 'hot_pin', ?, 'text', '', '', 0)").run(s.id, rule.id),
    ).toThrow(/UNIQUE/);
    t.push.triggers.stop();
    t.core.close();
  });
});

describe('nothing sent by surprise (#12)', () => {
  async function setup(options: { rehearsal: boolean }) {
    const t = testCore({ start: 1_800_000_000_000 });
    const push = new PushModule({ reminderTickMs: 3_600_000, countdownMs: 150, isRehearsal: () => options.rehearsal });
    push.attach(t.core);
    await t.core.call('push.channel.create', { kind: 'wecom', name: 'g', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' });
    for (const r of push.store.listRules()) await t.core.call('push.rule.save', { ...r, enabled: true });
    const events: any[] = [];
    t.core.subscribe((e) => events.push(e));
    const hot = await t.core.call('product.create', { title: '爆款面膜', price: 100, hot: true });
    const s = await t.core.call('session.create', { title: 's', productIds: [hot.id] });
    push.triggers.start();
    await t.core.call('session.start', { sessionId: s.id });
    await t.core.call('session.pin', { sessionId: s.id, productId: hot.id });
    return Object.assign(t, { push, s, events });
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('an automatic push waits behind a countdown, then is written once', async () => {
    const t = await setup({ rehearsal: false });
    const pending = t.events.filter((e) => e.type === 'push.pending').at(-1).pending;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ ruleKind: 'hot_pin', sessionId: t.s.id });
    expect(t.push.store.pushesOf(t.s.id)).toHaveLength(0);
    await sleep(300);
    expect(t.push.store.pushesOf(t.s.id).map((p) => p.trigger)).toEqual(['hot_pin']);
    t.push.triggers.stop();
    t.core.close();
  });

  it('取消 from the toast: nothing is written, and the rule does not come back for that session', async () => {
    const t = await setup({ rehearsal: false });
    const { pendingId } = t.events.filter((e) => e.type === 'push.pending').at(-1).pending[0];
    expect(await t.core.call('push.pending.cancel', { pendingId })).toEqual({ pendingId, cancelled: true });
    await t.core.call('session.pin', { sessionId: t.s.id, productId: t.s.lineup[0]!.productId });
    await sleep(300);
    expect(t.push.store.pushesOf(t.s.id)).toHaveLength(0);
    expect(t.events.filter((e) => e.type === 'push.pending').at(-1).pending).toEqual([]);
    t.push.triggers.stop();
    t.core.close();
  });

  it('a rehearsal holds automatic pushes back unless the session allows them', async () => {
    const t = await setup({ rehearsal: true });
    await sleep(300);
    expect(t.push.store.pushesOf(t.s.id)).toHaveLength(0);
    expect(t.events.some((e) => e.type === 'push.pending' && e.pending.length)).toBe(false);
    // the producer allows pushes in this rehearsal: the held-back rule is announced (countdown) and then written
    await t.core.call('push.session.setEntry', { sessionId: t.s.id, allowRehearsalPush: true });
    await t.core.call('session.pin', { sessionId: t.s.id, productId: t.s.lineup[0]!.productId });
    expect(t.events.filter((e) => e.type === 'push.pending').at(-1).pending).toHaveLength(1);
    await sleep(300);
    expect(t.push.store.pushesOf(t.s.id).map((p) => p.trigger)).toEqual(['hot_pin']);
    t.push.triggers.stop();
    t.core.close();
  });
});

describe('entry point and product links (#12)', () => {
  it('reads the 视频号助手 reservation list in both documented shapes and explains 48001', async () => {
    const { listNotices } = await import('./notices.ts');
    const http = await import('node:http');
    const answers = [
      { errcode: '0', errmsg: 'ok', live_notice_list: [{ notice_id: 'n1', status: 0, status_wording: '可用', start_time: '1800000000', description: '618 预告' }] },
      { errcode: 0, errmsg: 'ok', live_notice_list: { notice_id: 'n2', status: 1, start_time: 1800000600, description: '' } },
      { errcode: 48001, errmsg: 'api unauthorized' },
    ];
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.end(JSON.stringify(answers.shift()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as any).port}`;
    try {
      expect(await listNotices({ base, token: 'T' })).toEqual([{ noticeId: 'n1', status: 0, statusWording: '可用', startTime: 1_800_000_000_000, description: '618 预告' }]);
      expect((await listNotices({ base, token: 'T' }))[0]).toMatchObject({ noticeId: 'n2', startTime: 1_800_000_600_000 });
      await expect(listNotices({ base, token: 'T' })).rejects.toThrow(/48001/);
      expect(seen[0]).toBe('/channels/ec/finderlive/getfinderlivenoticerecordlist?access_token=T');
    } finally {
      server.close();
    }
  });

  it('{{productLink}} is the shop’s official link when the catalog provides it, and the preview has no made-up live URL', async () => {
    const t = testCore({ start: 1_800_000_000_000 });
    const push = new PushModule({ countdownMs: 0, productLinks: async (id) => ({ productId: id, shopProductId: String(id), h5url: `https://shop.example/item/${id}`, fetchedAt: 0 }) });
    push.attach(t.core);
    const p = await t.core.call('product.create', { title: '面膜', price: 100, hot: true });
    const s = await t.core.call('session.create', { title: 's', productIds: [p.id] });
    await t.core.call('session.start', { sessionId: s.id });
    await t.core.call('session.pin', { sessionId: s.id, productId: p.id });
    const preview = await t.core.call('push.preview', { sessionId: s.id, text: '抢购 {{productLink}}' });
    expect(preview.text).toBe(`抢购 https://shop.example/item/${p.id}`);
    await t.core.call('push.channel.create', { kind: 'wecom', name: 'g', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' });
    const sent = await t.core.call('push.send', { sessionId: s.id, text: '抢购 {{productLink}}' });
    expect(sent.text).toBe(`抢购 https://shop.example/item/${p.id}`);
    const sample = await t.core.call('push.preview', { text: '{{link}}' });
    expect(sample.link).toBeNull();
    expect(JSON.stringify(sample)).not.toContain('channels.weixin.qq.com/live');
    t.core.close();
  });
});

describe('lift per channel kind (#12)', () => {
  it('averages the lift of the pushes that reached each kind, measured from that kind’s first delivery', async () => {
    const t = testCore({ start: 1_800_000_000_000 });
    // new viewers/min: 10 before the robot push (+0), 16 from then, 40 from the customer-group send (+20 min)
    const rate = (_s: number, from: number, to: number) => {
      const at = 1_800_000_000_000;
      if (to <= at) return 10;
      if (from >= at && to <= at + 20 * 60_000) return 16;
      if (from >= at + 20 * 60_000) return 40;
      return 10;
    };
    const push = new PushModule({ countdownMs: 0, newViewersPerMinute: rate });
    push.attach(t.core);
    const s = await t.core.call('session.create', { title: 's' });
    const ch = await t.core.call('push.channel.create', { kind: 'wecom', name: 'g', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' });
    push.customers.saveGroups([{ chatId: 'wrA', name: 'A', owner: 'anna', memberCount: 9 }], t.now);
    const now = t.now;
    const pushId = t.core.db.transaction(() => {
      const id = push.store.createPush({ sessionId: s.id, trigger: 'manual', ruleId: null, message: { format: 'text', title: '', text: 'x', link: null, button: '', imageUrl: null, qrPng: null }, channelIds: [ch.id], oversize: 'fail' }, now);
      push.customers.planTasks(id, { chatIds: ['wrA'], momentOwners: [], body: { text: 'x', link: null, miniprogram: null, poster: null }, withPoster: false }, now);
      return id;
    })();
    const d = push.store.deliveriesOfPush(pushId)[0]!;
    push.store.markSending(d.id, ch.id, now);
    push.store.finish(d.id, 'sent', null, now);
    const task = t.core.db.prepare<[number], { id: number }>('SELECT id FROM wecom_tasks WHERE push_id = ?').get(pushId)!;
    push.customers.setTarget(task.id, 'wrA', 'sent', null, now + 20 * 60_000, now + 20 * 60_000);
    t.advance(30 * 60_000);
    const h = await t.core.call('push.history', { sessionId: s.id });
    const by = Object.fromEntries(h.byKind.map((k) => [k.kind, k]));
    expect(by.robot).toMatchObject({ pushes: 1, measured: 1, avgLift: 6 });
    expect(by.customer_group).toMatchObject({ pushes: 1, measured: 1, avgLift: 24 });
    expect(by.moment).toMatchObject({ pushes: 0, avgLift: null });
    t.core.close();
  });
});
