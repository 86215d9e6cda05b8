// Issue 14 finding 10: robot keys leaked when a robot echoed its URL path (redaction matched only the whole URL), and a
// coupon text with markdown link syntax went verbatim into every group.
import { afterEach, describe, expect, it } from 'vitest';
import { PushModule } from '../../electron/core/push/module.ts';
import { escapeMarkdown } from '../../electron/core/push/templates.ts';
import { testCore } from '../helpers/core.ts';
import { startRobots, waitFor } from '../helpers/robots.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function desk() {
  const t = testCore({ start: Date.now() });
  const push = new PushModule({ timeScale: 0.05, timeoutMs: 1_500, random: () => 0.5, reminderTickMs: 60_000 });
  push.attach(t.core);
  push.start();
  const stub = await startRobots(0.05);
  cleanups.push(async () => {
    await push.stop();
    t.core.close();
    await stub.close();
  });
  return { core: t.core, push, stub };
}

describe('push content', () => {
  it('a robot that echoes its key (bare, in its URL path, percent-encoded) never gets it into the log or the history', async () => {
    const { core, push, stub } = await desk();
    const key = 'KEY-0123456789-abcdef';
    const url = stub.add(key, { kind: 'wecom' });
    stub.script(key, { errcode: 93000, errmsg: `invalid webhook url, hint: [/cgi-bin/webhook/send?key=${key}] key ${encodeURIComponent(key)}` });
    const ch = await core.call('push.channel.create', { kind: 'wecom', name: '群', url });
    const s = await core.call('session.create', { title: '直播' });
    const sent = await core.call('push.send', { sessionId: s.id, channelIds: [ch.id], text: 'hi' });
    await waitFor(() => push.store.deliveriesOfPush(sent.id).every((d) => d.status === 'failed'), 10_000, 'failed');
    const [d] = push.store.deliveriesOfPush(sent.id);
    expect(d!.lastError).toMatch(/93000|invalid webhook/);
    expect(d!.lastError).not.toContain(key);
    expect(d!.lastError).not.toContain('0123456789');
    expect(JSON.stringify(await core.call('push.deliveries', { pushId: sent.id }))).not.toContain(key);
  });

  it('catalog text with markdown link syntax is escaped in markdown messages, left as typed in plain text', async () => {
    const { core, push, stub } = await desk();
    const url = stub.add('md-robot-000000000001', { kind: 'wecom' });
    const ch = await core.call('push.channel.create', { kind: 'wecom', name: '群', url });
    const p = await core.call('product.create', { title: '面霜 **爆款**', price: 100, coupon: '[点此领券](https://evil.example/phish)' });
    const s = await core.call('session.create', { title: '直播', productIds: [p.id] });
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, productId: p.id });
    const tpl = await core.call('push.template.save', { name: 'md', format: 'markdown', title: '', body: '{{product}} 券：{{coupon}} [进入直播间]({{link}})' });
    const sent = await core.call('push.send', { sessionId: s.id, channelIds: [ch.id], templateId: tpl.id });
    await waitFor(() => push.store.deliveriesOfPush(sent.id).every((d) => d.status === 'sent'), 10_000, 'sent');
    const content = stub.delivered('md-robot-000000000001')[0]!.body.markdown.content as string;
    expect(content).not.toContain('](https://evil.example');
    expect(content).toContain('［点此领券］（https://evil.example/phish）');
    expect(content).toContain('面霜 \\*\\*爆款\\*\\*');
    // the template's own markdown (written by the producer) still works
    expect(content).toMatch(/\[进入直播间\]\(/);
    expect(escapeMarkdown('满199减30')).toBe('满199减30');
  });
});
