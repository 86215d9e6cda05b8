// Room automation end to end against the 视频号 console fixture (tests/fixtures/channels-console, the wujie/序号 structure
// from the peer's sources) through the real bridge (ChannelsModule.room()), without LIVECUE_ROOM_SIM: one rule of each
// kind pasted on #/automation, viewers' comments pushed into the fixture for a real window of WINDOW_MS (the engine
// reads the wall clock: no compression), then asserted on what the FIXTURE received (sent comments, 上墙, 讲解 calls).
// Prints reply latency p50/p95 and counts per rule (docs/automation.md).
import { expect, test } from '@playwright/test';
import { startConsoleFixture } from '../fixtures/channels-console/server.ts';
import { startServe } from '../helpers/serve.ts';

// CI runs a 40 s window (margins: 3 messages due and room for them, ≥ 2 asserted; welcomes capped well below entries);
// LIVECUE_AU_WINDOW_MS=600000 is the 10-minute run (docs/automation.md)
const WINDOW_MS = Number(process.env.LIVECUE_AU_WINDOW_MS) || 40_000;
// 18 a minute keeps a third (6) for answers; a price question every 12 s (≤ 5 in any minute) therefore never waits for
// the budget, while welcomes (every 4.5 s, 13 a minute) and messages (every 10 s, 6) want more than the other two
// thirds (12): the limit binds
const RATE = 18;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

test('rules act on the console fixture under the limits; F9 stops them', async ({ page }) => {
  test.setTimeout(WINDOW_MS + 120_000);
  const fixture = await startConsoleFixture({ state: { loggedIn: true, live: true } });
  const served = await startServe({
    args: ['--no-demo', '--channels-url', fixture.url, '--channels-browser', process.env.LIVECUE_CHROMIUM ?? '/usr/bin/chromium'],
    env: { LIVECUE_CHANNELS_HEADLESS: '1', LIVECUE_ROOM_SIM: '' },
  });
  try {
    const p = (await served.api('POST', '/api/v1/products', { title: '蓝牙音箱', price: 19900, livePrice: 9900 })).body;
    const s = (await served.api('POST', '/api/v1/sessions', { title: '控台专场', productIds: [p.id] })).body;
    await served.api('POST', `/api/v1/sessions/${s.id}/start`);
    await served.api('POST', `/api/v1/sessions/${s.id}/next`);

    await page.goto(`${served.url}?token=${served.token}#/channels`);
    await page.getByRole('button', { name: '连接视频号' }).click();
    await expect(page.getByTestId('channels-badge')).toContainText('直播中', { timeout: 30_000 });

    await page.goto(`${served.url}#/automation`);
    const paste = async (kind: string, text: string) => {
      await page.getByTestId(`au-text-${kind}`).click();
      await page.keyboard.insertText(text);
      await expect(page.getByTestId(`au-preview-${kind}`)).toBeVisible();
    };
    await page.getByTestId('au-rate').fill(String(RATE));
    await page.getByTestId('au-rate').press('Tab');
    await paste('reply', '多少钱/链接|{宝宝/家人/亲}，点左下角小黄车\n@进入|欢迎{宝宝/家人}来到直播间');
    await page.getByTestId('au-opt-reply-ruleCooldownSec').fill('0');
    await paste('pin', '好看/喜欢');
    await page.getByTestId('au-opt-pin-intervalSec').fill('5');
    await paste('message', '点点关注不迷路\n今天下单有赠品');
    await page.getByTestId('au-opt-message-minSec').fill('10');
    await page.getByTestId('au-opt-message-maxSec').fill('10');
    await paste('rotation', '1,4,7');
    await page.getByTestId('au-opt-rotation-dwellSec').fill('5');
    for (const kind of ['reply', 'pin', 'message', 'rotation']) {
      await page.getByTestId(`au-enable-${kind}`).click();
      await expect(page.getByTestId(`au-enable-${kind}`)).toBeChecked();
    }
    const rehearsal = page.getByTestId('au-rehearsal');
    if (await rehearsal.isVisible().catch(() => false)) await rehearsal.check();
    await expect(page.getByTestId('au-status')).toContainText('自动化运行中', { timeout: 10_000 });

    // the room: a viewer every 1.5 s; every 8th asks the price (keyword), every 4th praises (上墙 keyword)
    const t0 = Date.now();
    const asked: { at: number; id: string; nickname: string }[] = [];
    const praised: string[] = [];
    const sentAt: number[] = []; // when each fixture.state.sent entry was first seen
    const watch = setInterval(() => {
      while (sentAt.length < fixture.state.sent.length) sentAt.push(Date.now());
    }, 20);
    let n = 0;
    let enters = 0;
    while (Date.now() - t0 < WINDOW_MS) {
      n++;
      if (n % 8 === 1) {
        asked.push({ at: Date.now(), id: fixture.pushComment(`观众${n}`, '这个多少钱'), nickname: `观众${n}` });
        // the console delivers it again now and then (reconnect): still one reply
        if (n % 8 === 1) fixture.redeliver();
      } else if (n % 4 === 3) praised.push(fixture.pushComment(`观众${n}`, '衣服好看'));
      else fixture.pushComment(`观众${n}`, '主播好');
      if (n % 3 === 0) {
        fixture.pushEnter(`路人${n}`);
        enters++;
      }
      await page.waitForTimeout(1_500);
    }

    // F9 stops everything: after the key, nothing more reaches the console (one tick + a call in flight)
    const f9At = Date.now();
    await page.keyboard.press('F9');
    await expect(page.getByTestId('au-status')).toContainText('已暂停全部');
    await page.waitForTimeout(1_000);
    const atPause = { sent: fixture.state.sent.length, stuck: fixture.state.stuck.length, calls: fixture.state.calls.length };
    for (let i = 0; i < 4; i++) {
      fixture.pushComment(`观众x${i}`, '这个多少钱 好看');
      await page.waitForTimeout(2_000);
    }
    clearInterval(watch);
    expect({ sent: fixture.state.sent.length, stuck: fixture.state.stuck.length, calls: fixture.state.calls.length }).toEqual(atPause);

    // what the console received
    const sent = fixture.state.sent.slice(0, atPause.sent).map((text, i) => ({ text, at: sentAt[i]! }));
    const replies = sent.filter((x) => x.text.includes('小黄车'));
    const welcomes = sent.filter((x) => x.text.includes('来到直播间'));
    const messages = sent.filter((x) => !x.text.includes('小黄车') && !x.text.includes('来到直播间'));
    // the limit binds: not every entrant is welcomed (welcomes wait behind answers and messages, dropped after 15 s)
    expect(welcomes.length).toBeLessThan(enters);
    // each reply @s the viewer who asked (the set's default): it answers that question, within 2 s, and no question
    // gets two replies (pairing by nickname, not by time: a late reply must not pass as the next question's)
    const latencies: number[] = [];
    const answered = new Set<string>();
    for (const r of replies) {
      const nickname = /^@(\S+) /.exec(r.text)?.[1];
      const q = asked.find((a) => a.nickname === nickname);
      expect(q, r.text).toBeDefined();
      const lat = r.at - q!.at;
      latencies.push(lat);
      expect(lat, r.text).toBeLessThanOrEqual(2_000);
      expect(answered.has(q!.nickname), r.text).toBe(false);
      answered.add(q!.nickname);
    }
    // every question asked more than 2 s before the pause was answered
    expect(asked.filter((a) => a.at < f9At - 2_000 && !answered.has(a.nickname)).map((a) => a.nickname)).toEqual([]);
    // the limit (RATE a minute, +1 at the window's edge: sends are seen by polling) and never the same text twice in a row
    for (let i = 0; i < sent.length; i++) {
      expect(sent.filter((c) => c.at >= sent[i]!.at && c.at < sent[i]!.at + 60_000).length).toBeLessThanOrEqual(RATE + 1);
      if (i) expect(sent[i]!.text).not.toBe(sent[i - 1]!.text);
    }
    expect(replies.length).toBeGreaterThanOrEqual(3);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    // 上墙: only praise comments, the console's own ids
    const stuck = fixture.state.stuck.slice(0, atPause.stuck);
    expect(stuck.length).toBeGreaterThanOrEqual(2);
    for (const id of stuck) expect(praised).toContain(id);
    expect(new Set(stuck).size).toBe(stuck.length);
    // rotation by 序号 1, 4, 7 (ascending list: row n is products[n-1])
    const titles = fixture.state.products;
    const ons = fixture.state.calls
      .slice(0, atPause.calls)
      .filter((c) => c.startsWith('on '))
      .map((c) => c.slice(3));
    const expected = [titles[0]!.title, titles[3]!.title, titles[6]!.title];
    expect(ons.length).toBeGreaterThanOrEqual(3);
    ons.forEach((t, i) => expect(t).toBe(expected[i % 3]));

    // 上墙 intervals, from the engine's log (the fixture keeps no times for 上墙)
    type Action = { ts: number; kind: string; status: string; text: string; rule: string };
    const log = (await served.api('POST', '/api/v1/invoke/automation.log', { limit: 1000 })).body as Action[];
    const pins = log.filter((a) => a.kind === 'pin' && a.status === 'sent').sort((a, b) => a.ts - b.ts);
    expect(pins.length).toBe(stuck.length);
    for (let i = 1; i < pins.length; i++) expect(pins[i]!.ts - pins[i - 1]!.ts).toBeGreaterThanOrEqual(5_000);

    const figures = {
      windowMs: WINDOW_MS,
      rate: RATE,
      priceQuestions: asked.length,
      replies: replies.length,
      replyP50Ms: pct(latencies, 50),
      replyP95Ms: pct(latencies, 95),
      enters,
      welcomes: welcomes.length,
      messages: messages.length,
      stuck: stuck.length,
      explainOn: ons.length,
      byStatus: Object.fromEntries(['sent', 'dropped', 'failed'].map((st) => [st, log.filter((a) => a.status === st).length])),
      // sent / dropped / failed per rule (the log's rule name: 自动回复 第N行, 自动发言 第N行, 自动上墙, 讲解轮播)
      perRule: Object.fromEntries(
        [...new Set(log.map((a) => a.rule))].map((rule) => {
          const of = log.filter((a) => a.rule === rule);
          return [rule, ['sent', 'dropped', 'failed'].map((st) => of.filter((a) => a.status === st).length).join('/')];
        }),
      ),
    };
    console.log(`AUTOMATION_CONSOLE ${JSON.stringify(figures)}`);
  } finally {
    await served.stop();
    await fixture.close();
  }
});
