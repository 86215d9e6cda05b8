// A simulated 10-minute room on the fake clock: viewers enter, ask, praise and order; one rule set of each kind is
// pasted in as bulk text and switched on; the fake console takes 200–800 ms per action (ASSUMED). Asserts the limits
// held and prints reply latency p50/p95 and the counts per rule (figures in docs/automation.md).
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, seeded } from '../../../tests/helpers/automation.ts';
import type { AutomationStats } from '../../../shared/protocol/automation.ts';

const REPLIES = [
  '哪里发货/发货|亲，我们是江苏发货哦|{宝宝/家人}，江苏仓发货，48 小时内发出',
  '尺码/码数/多大|{宝宝/家人}，详情页有尺码表，拍前可以问客服',
  '多少钱/价格|直播间专享价，点左下角小黄车看看',
  '链接/怎么买|点左下角小黄车，{商品}就在第一个',
  '@进入|欢迎{宝宝/家人/老铁}{nickname}进入直播间',
  '@下单|感谢{nickname}下单，马上安排发货',
].join('\n');
const QUESTIONS = ['哪里发货呀', '什么时候发货', '尺码偏大吗', '这个多少钱', '链接在哪', '怎么买'];
const CHAT = ['主播好', '来了来了', '这个颜色不错', '666', '有优惠吗', '质量怎么样'];

let h: Harness;
afterEach(() => h?.close());

async function simulate(ratePerMin: number, seed: number): Promise<{ stats: AutomationStats; asked: number; sent: { text: string; at: number }[] }> {
  h = await harness({ seed });
  const r = seeded(seed * 31 + 1);
  h.room.delay = () => 200 + r() * 600;
  await h.core.call('automation.settings', { ratePerMin });
  const paste = async (kind: 'reply' | 'pin' | 'message' | 'rotation', text: string, options: Record<string, unknown> = {}) => {
    const preview = await h.core.call('automation.preview', { kind, text });
    expect(preview.errors).toBe(0);
    await h.core.call('automation.saveSet', { kind, text, options });
    await h.core.call('automation.enable', { kind, enabled: true });
  };
  await paste('reply', REPLIES);
  await paste('pin', '好看/喜欢\n回购');
  await paste('message', '欢迎{宝宝/家人/老铁}进入直播间\n点点关注不迷路\n今天直播间下单都有赠品', { minSec: 60, maxSec: 120 });
  await paste('rotation', '1,4,7,8,12', { dwellSec: 60 });

  // the room's ten minutes, planned ahead: comments every 1–5 s, an entry every 2–8 s, some askers order later
  const events: { at: number; kind: 'comment' | 'enter' | 'order'; nickname: string; text: string }[] = [];
  let asked = 0;
  const viewer = () => `观众${String(1 + Math.floor(r() * 60)).padStart(2, '0')}`;
  for (let t = 1000; t < 600_000; t += 1000 + r() * 4000) {
    const x = r();
    const nickname = viewer();
    if (x < 0.35) {
      asked++;
      events.push({ at: t, kind: 'comment', nickname, text: QUESTIONS[Math.floor(r() * QUESTIONS.length)]! });
      if (r() < 0.3) events.push({ at: t + 30_000 + r() * 90_000, kind: 'order', nickname, text: '' });
    } else if (x < 0.5) events.push({ at: t, kind: 'comment', nickname, text: r() < 0.5 ? '衣服好看' : '已回购' });
    else events.push({ at: t, kind: 'comment', nickname, text: CHAT[Math.floor(r() * CHAT.length)]! });
  }
  for (let t = 500; t < 600_000; t += 2000 + r() * 6000) events.push({ at: t, kind: 'enter', nickname: viewer(), text: '' });
  events.sort((a, b) => a.at - b.at);
  let clock = 0;
  for (const e of events.filter((e) => e.at < 600_000)) {
    await h.run(e.at - clock);
    clock = e.at;
    h.room.emit({ kind: e.kind, nickname: e.nickname, text: e.text, sessionId: h.sessionId });
  }
  await h.run(600_000 - clock);
  return { stats: await h.core.call('automation.stats', { sessionId: h.sessionId }), asked, sent: h.room.sent };
}

function checkLimits(sent: { text: string; at: number }[], ratePerMin: number) {
  for (let i = 0; i < sent.length; i++) {
    const inWindow = sent.filter((s) => s.at >= sent[i]!.at && s.at < sent[i]!.at + 60_000).length;
    // the limit counts sends started in 60 s; a send lands 200–800 ms later, so one more may land at the edge
    expect(inWindow).toBeLessThanOrEqual(ratePerMin + 1);
    if (i) expect(sent[i]!.text).not.toBe(sent[i - 1]!.text);
  }
}

describe('a simulated 10-minute room', () => {
  for (const ratePerMin of [6, 12]) {
    it(`holds ${ratePerMin}/min, never repeats, pins every ≥ 30 s, rotates in order — and reports latency`, async () => {
      const { stats, asked, sent } = await simulate(ratePerMin, 5);
      checkLimits(sent, ratePerMin);
      const pins = h.room.pins;
      for (let i = 1; i < pins.length; i++) expect(pins[i]!.at - pins[i - 1]!.at).toBeGreaterThanOrEqual(30_000);
      expect(h.room.explains.map((e) => e.seq).slice(0, 10)).toEqual([1, 4, 7, 8, 12, 1, 4, 7, 8, 12]);
      expect(stats.latency.n).toBeGreaterThan(0);
      expect(stats.latency.p50!).toBeLessThan(60_000);
      const ordered = stats.replies.filter((x) => x.orderedAfter).length;
      const figures = {
        ratePerMin,
        questionsAsked: asked,
        commentsSent: sent.length,
        replyLatencyMs: stats.latency,
        answeredThenOrdered: ordered,
        pins: pins.length,
        explains: h.room.explains.length,
        perRule: Object.fromEntries(stats.perRule.map((p) => [p.rule, `${p.sent} sent / ${p.dropped} dropped / ${p.failed} failed`])),
      };
      console.log(`room-sim ${JSON.stringify(figures)}`);
    });
  }
});
