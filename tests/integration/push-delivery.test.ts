// The outbox against local stub robots: rate limits as the robot sees them, retries, permanent failures, signatures,
// timeouts, restarts. Rate-limit windows are scaled (SCALE × 60 s) in both the sender and the stub.
import { afterEach, describe, expect, it } from 'vitest';
import { PushModule, type PushModuleOptions } from '../../electron/core/push/module.ts';
import { testCore } from '../helpers/core.ts';
import { type RobotStub, startRobots, waitFor } from '../helpers/robots.ts';
import { tempDir } from '../helpers/serve.ts';

const SCALE = 0.05; // 60 s → 3 s
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function desk(options: PushModuleOptions & { dataDir?: string } = {}) {
  const { dataDir, ...rest } = options;
  const t = testCore({ dataDir, start: Date.now() });
  const push = new PushModule({ timeScale: SCALE, timeoutMs: 1_500, random: () => 0.5, reminderTickMs: 60_000, ...rest });
  push.attach(t.core);
  push.start();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await push.stop();
    t.core.close();
  };
  cleanups.push(close);
  const session = await t.core.call('session.create', { title: '618 大促直播', plannedStart: Date.now() + 3_600_000 });
  return { ...t, push, session, close };
}

async function robots(): Promise<RobotStub> {
  const stub = await startRobots(SCALE);
  cleanups.push(() => stub.close());
  return stub;
}

const statuses = (push: PushModule, pushIds: number[]) => pushIds.flatMap((id) => push.store.deliveriesOfPush(id).map((d) => d.status));

describe('push outbox → stub robots', () => {
  it('a burst of 25 to one WeCom robot: each delivered exactly once, never more than 20 in any window', async () => {
    const stub = await robots();
    const d = await desk();
    const url = stub.add('burst', { kind: 'wecom' });
    const ch = await d.core.call('push.channel.create', { kind: 'wecom', name: 'VIP群', url });
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) ids.push((await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], text: `msg-${i}` })).id);
    await waitFor(() => statuses(d.push, ids).every((s) => s === 'sent'), 20_000, 'all 25 sent');
    const got = stub.delivered('burst').map((r) => r.body.text.content as string);
    expect(got.length).toBe(25);
    expect(new Set(got).size).toBe(25);
    expect(stub.requests.filter((r) => r.robot === 'burst').length).toBe(25); // not one 45009, not one retry
    const window = 60_000 * SCALE;
    expect(stub.maxInWindow('burst', window)).toBeLessThanOrEqual(20);
    // and the limit bit: the 21st went out only after the window had passed
    const times = stub.requests.filter((r) => r.robot === 'burst').map((r) => r.at);
    expect(times[20]! - times[0]!).toBeGreaterThanOrEqual(window);
  });

  it('45009 three times, then success → delivered once, after 4 attempts', async () => {
    const stub = await robots();
    const d = await desk();
    const url = stub.add('busy', { kind: 'wecom' });
    stub.script('busy', { errcode: 45009 }, { errcode: 45009 }, { errcode: 45009 });
    const ch = await d.core.call('push.channel.create', { kind: 'wecom', name: '新客群', url });
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], text: 'hello' });
    const seenStates = new Set<string>();
    d.core.subscribe((e) => e.type === 'push.delivery' && seenStates.add(e.delivery.status));
    const row = await waitFor(() => d.push.store.deliveriesOfPush(p.id).find((x) => x.status === 'sent'), 15_000, 'sent');
    expect(row.attempts).toBe(4);
    expect(row.lastError).toBeNull();
    expect(stub.delivered('busy').length).toBe(1);
    expect(stub.requests.filter((r) => r.robot === 'busy').map((r) => r.code)).toEqual([45009, 45009, 45009, 0]);
    expect(seenStates.has('retrying')).toBe(true);
  });

  it('a bad WeCom key stops with a clear error and no retries', async () => {
    const stub = await robots();
    const d = await desk();
    const ch = await d.core.call('push.channel.create', { kind: 'wecom', name: '错 key', url: stub.urlOf('no-such-key', 'wecom') });
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], text: 'hello' });
    const row = await waitFor(() => d.push.store.deliveriesOfPush(p.id).find((x) => x.status === 'failed'), 5_000, 'failed');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/93000/);
    expect(row.lastError).toMatch(/copy the robot’s webhook URL/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(stub.requests.length).toBe(1);
  });

  it('DingTalk 加签: the right secret is accepted, a wrong one fails with 310000 and is not retried', async () => {
    const stub = await robots();
    const d = await desk();
    const good = await d.core.call('push.channel.create', {
      kind: 'dingtalk',
      name: '钉钉群',
      url: stub.add('dt', { kind: 'dingtalk', secret: 'SECgood' }),
      secret: 'SECgood',
    });
    const bad = await d.core.call('push.channel.create', {
      kind: 'dingtalk',
      name: '钉钉群2',
      url: stub.add('dt2', { kind: 'dingtalk', secret: 'SECgood' }),
      secret: 'SECwrong',
    });
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [good.id, bad.id], templateId: 1 });
    await waitFor(() => d.push.store.deliveriesOfPush(p.id).every((x) => x.status === 'sent' || x.status === 'failed'), 5_000, 'settled');
    const rows = d.push.store.deliveriesOfPush(p.id);
    expect(rows.find((r) => r.channelId === good.id)!.status).toBe('sent');
    const failed = rows.find((r) => r.channelId === bad.id)!;
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toMatch(/310000.*sign not match/);
    expect(stub.delivered('dt')[0]!.body.msgtype).toBe('markdown'); // template 1 is a card, but no live link yet → markdown
  });

  it('Feishu 签名校验 (key = timestamp\\n secret, empty message): right secret sent, wrong one 19021, keyword 19024', async () => {
    const stub = await robots();
    const d = await desk();
    await d.core.call('push.session.setLink', { sessionId: d.session.id, link: 'https://channels.weixin.qq.com/live/abc' });
    const mk = async (id: string, secret: string, keyword?: string) =>
      d.core.call('push.channel.create', { kind: 'feishu', name: id, url: stub.add(id, { kind: 'feishu', secret: 'fs-secret', keyword }), secret });
    const ok = await mk('fs-ok', 'fs-secret');
    const wrong = await mk('fs-wrong', 'nope');
    const kw = await mk('fs-kw', 'fs-secret', '暗号');
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ok.id, wrong.id, kw.id], templateId: 2 });
    await waitFor(() => d.push.store.deliveriesOfPush(p.id).every((x) => x.status === 'sent' || x.status === 'failed'), 5_000, 'settled');
    const rows = d.push.store.deliveriesOfPush(p.id);
    expect(rows.find((r) => r.channelId === ok.id)!.status).toBe('sent');
    expect(rows.find((r) => r.channelId === wrong.id)!.lastError).toMatch(/19021/);
    expect(rows.find((r) => r.channelId === kw.id)!.lastError).toMatch(/19024/);
    const card = stub.delivered('fs-ok')[0]!.body;
    expect(card.msg_type).toBe('interactive');
    expect(card.card.elements[1].actions[0].url).toBe('https://channels.weixin.qq.com/live/abc');
    expect(typeof card.timestamp).toBe('string');
  });

  it('Feishu: never more than 5 per second, as the bot sees it', async () => {
    const stub = await robots();
    const d = await desk({ timeScale: 1 });
    const ch = await d.core.call('push.channel.create', { kind: 'feishu', name: 'fs', url: stub.add('fs-rate', { kind: 'feishu' }) });
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], text: `m${i}` })).id);
    await waitFor(() => statuses(d.push, ids).every((s) => s === 'sent'), 10_000, 'sent');
    expect(stub.maxInWindow('fs-rate', 1_000)).toBeLessThanOrEqual(5);
    expect(stub.requests.every((r) => r.code === 0)).toBe(true);
  });

  it('5xx is retried; a slow answer past the timeout is "unknown" and never resent automatically', async () => {
    const stub = await robots();
    const d = await desk({ timeoutMs: 400 });
    const flaky = await d.core.call('push.channel.create', { kind: 'wecom', name: 'flaky', url: stub.add('flaky', { kind: 'wecom' }) });
    const slow = await d.core.call('push.channel.create', { kind: 'wecom', name: 'slow', url: stub.add('slow', { kind: 'wecom' }) });
    stub.script('flaky', { status: 502 }, { status: 503 });
    stub.script('slow', { delayMs: 1_500 });
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [flaky.id, slow.id], text: 'x' });
    await waitFor(() => d.push.store.deliveriesOfPush(p.id).every((x) => x.status === 'sent' || x.status === 'unknown'), 8_000, 'settled');
    const rows = d.push.store.deliveriesOfPush(p.id);
    const f = rows.find((r) => r.channelId === flaky.id)!;
    expect([f.status, f.attempts]).toEqual(['sent', 3]);
    const s = rows.find((r) => r.channelId === slow.id)!;
    expect(s.status).toBe('unknown');
    expect(s.lastError).toMatch(/may have been delivered/);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(stub.requests.filter((r) => r.robot === 'slow').length).toBe(1);
    // the user's explicit choice sends it again
    await d.core.call('push.resend', { deliveryId: s.id });
    await waitFor(() => d.push.store.delivery(s.id).status === 'sent', 5_000, 'resent');
    expect(stub.requests.filter((r) => r.robot === 'slow').length).toBe(2);
  });

  it('a connection refused before anything was sent is retried, not unknown', async () => {
    const d = await desk();
    const ch = await d.core.call('push.channel.create', { kind: 'webhook', name: 'down', url: 'http://127.0.0.1:9/hook/x' });
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], text: 'x' });
    const row = await waitFor(() => d.push.store.deliveriesOfPush(p.id).find((x) => x.status === 'retrying'), 5_000, 'retrying');
    expect(row.lastError).toMatch(/ECONNREFUSED/);
  });

  it('the rate limit survives a restart: no burst over 20 after reopening', async () => {
    const stub = await robots();
    const dataDir = tempDir();
    const d1 = await desk({ dataDir });
    const url = stub.add('restart', { kind: 'wecom' });
    const ch = await d1.core.call('push.channel.create', { kind: 'wecom', name: 'r', url });
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await d1.core.call('push.send', { sessionId: d1.session.id, channelIds: [ch.id], text: `a${i}` })).id);
    await waitFor(() => statuses(d1.push, ids).every((s) => s === 'sent'), 5_000, 'first 20');
    await d1.close();
    const d2 = await desk({ dataDir });
    const more: number[] = [];
    for (let i = 0; i < 3; i++) more.push((await d2.core.call('push.send', { sessionId: d1.session.id, channelIds: [ch.id], text: `b${i}` })).id);
    await waitFor(() => statuses(d2.push, more).every((s) => s === 'sent'), 10_000, 'next 3');
    expect(stub.maxInWindow('restart', 60_000 * SCALE)).toBeLessThanOrEqual(20);
    expect(stub.requests.every((r) => r.code === 0)).toBe(true);
  });

  it('WeCom push with QR: a news card then the QR as an image (base64 + md5 checked by the robot)', async () => {
    const stub = await robots();
    const d = await desk();
    await d.core.call('push.session.setLink', { sessionId: d.session.id, link: 'https://channels.weixin.qq.com/live/qr' });
    const ch = await d.core.call('push.channel.create', { kind: 'wecom', name: 'qr', url: stub.add('qr', { kind: 'wecom' }) });
    const p = await d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], templateId: 2, withQr: true });
    expect(p.deliveries.map((x) => x.part)).toEqual(['message', 'qr']);
    await waitFor(() => statuses(d.push, [p.id]).every((s) => s === 'sent'), 5_000, 'sent');
    expect(stub.delivered('qr').map((r) => r.body.msgtype)).toEqual(['news', 'image']);
  });

  it('an over-long message is refused before anything is queued, with the byte counts', async () => {
    await robots();
    const d = await desk();
    const ch = await d.core.call('push.channel.create', { kind: 'wecom', name: 'w', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' });
    const long = '直播'.repeat(400); // 2400 bytes of UTF-8
    await expect(d.core.call('push.send', { sessionId: d.session.id, channelIds: [ch.id], text: long })).rejects.toThrow(/2400 > 2048/);
    expect(d.push.store.recentPushes().length).toBe(0);
  });
});
