// WeCom customer groups (客户群) and 朋友圈 through the real serve process against a local fake of WeCom's documented
// 客户联系 API (tests/fakes/wecom-customer.ts): groups listed with owners and member counts, one mass-send task per
// owner, each owner confirming (or not) in WeCom, a group over its quota, a token expiring mid-task, SIGKILL while the
// create call is in flight — and nothing created twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WecomFake } from '../fakes/wecom-customer.ts';
import { waitFor } from '../helpers/robots.ts';
import { type Served, startServe, tempDir } from '../helpers/serve.ts';

let fake: WecomFake;
const running: Served[] = [];
const env = () => ({
  LIVECUE_WECOM_CORPID: fake.corpId,
  LIVECUE_WECOM_SECRET: fake.secret,
  LIVECUE_WECOM_API_BASE: fake.base,
  LIVECUE_WECOM_POLL_MS: '200',
  LIVECUE_PUSH_TIME_SCALE: '0.05',
  LIVECUE_PUSH_TIMEOUT_MS: '4000',
});

beforeEach(async () => {
  fake = new WecomFake([
    { chatId: 'wrVIP001', name: 'VIP群①', owner: 'anna', members: 180 },
    { chatId: 'wrVIP002', name: 'VIP群②', owner: 'anna', members: 95 },
    { chatId: 'wrNEW001', name: '新客群', owner: 'bo', members: 320 },
    { chatId: 'wrFULL01', name: '老客群（本月已满）', owner: 'bo', members: 60, received: 30 },
  ]);
  fake.monthlyLimit = 30;
  await fake.listen();
});
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  await fake.close();
});

async function serve(dataDir = tempDir()) {
  const s = await startServe({ dataDir, args: ['--no-demo'], env: env() });
  running.push(s);
  return s;
}

async function sessionWithLineup(s: Served) {
  const p = (await s.api('POST', '/api/v1/products', { title: '真丝连衣裙', price: 29_900, livePrice: 19_900 })).body;
  const session = (await s.api('POST', '/api/v1/sessions', { title: '618 宠粉专场', productIds: [p.id] })).body;
  return session;
}

describe('WeCom customer groups', () => {
  it('lists groups, sends one task per owner, follows each owner’s confirmation and each group’s result', async () => {
    const s = await serve();
    const groups = await s.api('GET', '/api/v1/wecom/groups');
    expect(groups.status).toBe(200);
    expect(groups.body.map((g: any) => [g.chatId, g.owner, g.memberCount])).toEqual(
      expect.arrayContaining([['wrVIP001', 'anna', 180], ['wrNEW001', 'bo', 320], ['wrFULL01', 'bo', 60]]),
    );
    expect(groups.body[0].quota.limit).toBeGreaterThanOrEqual(28);
    const tagged = await s.api('PATCH', '/api/v1/wecom/groups/wrVIP001', { tags: ['VIP群'] });
    expect(tagged.body.tags).toEqual(['VIP群']);

    const session = await sessionWithLineup(s);
    await s.api('POST', '/api/v1/invoke/push.session.setEntry', { sessionId: session.id, entry: { kind: 'link', url: 'https://example.com/reserve/42' } });
    const sent = await s.api('POST', `/api/v1/sessions/${session.id}/push`, {
      text: '今晚 8 点开播，福利先到先得', customerGroups: ['wrVIP001', 'wrVIP002', 'wrNEW001', 'wrFULL01'], withPoster: true, allowRehearsal: true,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.deliveries).toEqual([]); // no robot was named: none is added implicitly

    const rows = async () => (await s.api('GET', `/api/v1/push/deliveries?pushId=${sent.body.id}`)).body as any[];
    await waitFor(async () => (await rows()).every((r) => r.status === 'awaiting_confirmation'), 10_000, 'tasks created');
    // one task per owner, each with the poster uploaded and attached, plus the link card
    const creates = fake.calls('add_msg_template');
    expect(creates.map((c) => c.body.sender).sort()).toEqual(['anna', 'bo']);
    for (const c of creates) {
      expect(c.body.chat_type).toBe('group');
      expect(c.body.attachments[0]).toEqual({ msgtype: 'image', image: { media_id: expect.stringMatching(/^media-/) } });
      expect(c.body.attachments[1]).toMatchObject({ msgtype: 'link', link: { url: 'https://example.com/reserve/42' } });
    }
    expect(fake.calls('media/upload')).toHaveLength(2);
    const before = await rows();
    expect(new Set(before.map((r) => r.msgid)).size).toBe(2);
    expect(before.find((r) => r.chatId === 'wrNEW001')).toMatchObject({ owner: 'bo', groupName: '新客群', target: 'customer_group' });

    // anna confirms, bo does not (yet)
    fake.confirm('anna');
    await waitFor(async () => (await rows()).filter((r) => r.status === 'sent').length === 2, 10_000, 'anna’s groups sent');
    let now = await rows();
    expect(now.filter((r) => r.owner === 'bo').every((r) => r.status === 'awaiting_confirmation')).toBe(true);

    // the token expires in the middle of the task: the next poll gets 42001, fetches a new token, carries on
    const tokensBefore = fake.calls('gettoken').length;
    fake.expireTokens();
    fake.confirm('bo');
    await waitFor(async () => (await rows()).every((r) => r.status !== 'awaiting_confirmation'), 10_000, 'bo’s groups settled');
    now = await rows();
    expect(now.find((r) => r.chatId === 'wrNEW001').status).toBe('sent');
    expect(now.find((r) => r.chatId === 'wrFULL01')).toMatchObject({ status: 'over_quota', lastError: expect.stringMatching(/quota/) });
    expect(fake.calls('gettoken').length).toBe(tokensBefore + 1);
    expect(fake.requests.some((r) => r.errcode === 42001)).toBe(true);
    expect(fake.calls('add_msg_template')).toHaveLength(2);
  }, 60_000);

  it('shows the quota before sending and refuses a send that would exceed it', async () => {
    const s = await serve();
    await s.api('POST', '/api/v1/wecom/configure', { quotaRule: 'day' });
    const groups = (await s.api('GET', '/api/v1/wecom/groups')).body as any[];
    expect(groups.find((g) => g.chatId === 'wrNEW001').quota).toMatchObject({ used: 0, limit: 1, left: 1 });
    const session = await sessionWithLineup(s);
    const first = await s.api('POST', `/api/v1/sessions/${session.id}/push`, { text: '第一条', customerGroups: ['wrNEW001'], allowRehearsal: true });
    expect(first.status).toBe(200);
    const after = (await s.api('GET', '/api/v1/wecom/groups')).body as any[];
    expect(after.find((g: any) => g.chatId === 'wrNEW001').quota).toMatchObject({ used: 1, left: 0 });
    const second = await s.api('POST', `/api/v1/sessions/${session.id}/push`, { text: '第二条', customerGroups: ['wrNEW001', 'wrVIP001'], allowRehearsal: true });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/新客群 1\/1/);
    // refused as a whole: nothing was queued for the other group either
    await new Promise((r) => setTimeout(r, 600));
    expect(fake.calls('add_msg_template').map((c) => c.body.text.content)).toEqual(['第一条']);
  }, 60_000);

  it('a rehearsal (simulator source) sends nothing to customers unless allowed', async () => {
    const s = await serve();
    await s.api('GET', '/api/v1/wecom/groups');
    const session = await sessionWithLineup(s);
    const refused = await s.api('POST', `/api/v1/sessions/${session.id}/push`, { text: '彩排', customerGroups: ['wrVIP001'] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/rehearsal/);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.calls('add_msg_template')).toHaveLength(0);
  }, 60_000);

  it('朋友圈: one task for the chosen members, followed until each has published', async () => {
    const s = await serve();
    const session = await sessionWithLineup(s);
    await s.api('GET', '/api/v1/wecom/groups');
    const sent = await s.api('POST', `/api/v1/sessions/${session.id}/push`, { text: '朋友圈预告', momentOwners: ['anna', 'bo'], withPoster: true, allowRehearsal: true });
    expect(sent.status).toBe(200);
    const rows = async () => (await s.api('GET', `/api/v1/push/deliveries?pushId=${sent.body.id}`)).body as any[];
    await waitFor(async () => (await rows()).every((r) => r.status === 'awaiting_confirmation' && r.msgid), 10_000, 'moment created');
    expect(fake.calls('media/upload_attachment')).toHaveLength(1);
    expect(fake.calls('add_moment_task')[0]!.body.visible_range.sender_list.user_list).toEqual(['anna', 'bo']);
    fake.publishMoment('anna');
    await waitFor(async () => (await rows()).find((r) => r.owner === 'anna')?.status === 'sent', 10_000, 'anna published');
    expect((await rows()).find((r) => r.owner === 'bo').status).toBe('awaiting_confirmation');
  }, 60_000);

  it('SIGKILL while add_msg_template is in flight: after restart the task is found in WeCom, never created twice', async () => {
    const dataDir = tempDir();
    const a = await serve(dataDir);
    await a.api('GET', '/api/v1/wecom/groups');
    const session = await sessionWithLineup(a);
    fake.delays.set('add_msg_template', 1_500);
    const sent = await a.api('POST', `/api/v1/sessions/${session.id}/push`, { text: '崩溃测试', customerGroups: ['wrVIP001', 'wrNEW001'], allowRehearsal: true });
    expect(sent.status).toBe(200);
    await waitFor(() => fake.arrived.filter((p) => p.endsWith('add_msg_template')).length >= 1, 10_000, 'first create in flight');
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    // WeCom finishes creating the task the dead process asked for
    await waitFor(() => fake.msgs.length >= 1, 5_000, 'WeCom created it');
    fake.delays.delete('add_msg_template');

    const b = await serve(dataDir);
    const rows = async () => (await b.api('GET', `/api/v1/push/deliveries?pushId=${sent.body.id}`)).body as any[];
    await waitFor(async () => (await rows()).every((r) => r.status === 'awaiting_confirmation'), 15_000, 'both owners’ tasks exist');
    const final = await rows();
    // exactly one WeCom task per owner, and LiveCue holds each one's msgid
    const bySender = new Map<string, number>();
    for (const m of fake.msgs) bySender.set(m.sender, (bySender.get(m.sender) ?? 0) + 1);
    expect(Object.fromEntries(bySender)).toEqual({ anna: 1, bo: 1 });
    expect(new Set(final.map((r) => r.msgid))).toEqual(new Set(fake.msgs.map((m) => m.msgid)));
    expect(fake.calls('get_groupmsg_list_v2').length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('WeCom customer groups: mini-program entry', () => {
  it('sends a mini-program card whose cover is the poster, even without the poster attached as an image', async () => {
    const s = await serve();
    await s.api('GET', '/api/v1/wecom/groups');
    const session = await sessionWithLineup(s);
    const entry = await s.api('POST', '/api/v1/invoke/push.session.setEntry', { sessionId: session.id, entry: { kind: 'miniprogram', appid: 'wx0123456789abcdef', path: 'pages/live/index?room=1', title: '进入直播间' } });
    expect(entry.body).toMatchObject({ link: null, warning: null });
    const sent = await s.api('POST', `/api/v1/sessions/${session.id}/push`, { text: '小程序入口', customerGroups: ['wrNEW001'], allowRehearsal: true });
    expect(sent.status).toBe(200);
    await waitFor(() => fake.calls('add_msg_template').length === 1, 20_000, 'created');
    const atts = fake.calls('add_msg_template')[0]!.body.attachments;
    expect(atts).toEqual([{ msgtype: 'miniprogram', miniprogram: { title: '进入直播间', appid: 'wx0123456789abcdef', page: 'pages/live/index?room=1', pic_media_id: expect.stringMatching(/^media-/) } }]);
  }, 60_000);
});
