// Bulk text entry: what each line becomes, errors by line, variables and variations.
import { describe, expect, it } from 'vitest';
import { seeded } from '../../../tests/helpers/automation.ts';
import { fill, matchReply, maskNickname, parseSet, templateError, vary } from './text.ts';

describe('reply lines `关键词/同义词|回复`', () => {
  it('splits keywords by / and reply variants by |, event words answer room events', () => {
    const p = parseSet('reply', '# 注释\n音响/音箱/低音炮|宝宝，蓝牙音箱在 142 号链接|{家人/宝宝}去小黄车看看\n\n@进入|欢迎{nickname}', seeded(1));
    expect(p.preview.errors).toBe(0);
    expect(p.replies).toEqual([
      { line: 2, keywords: ['音响', '音箱', '低音炮'], event: 'comment', replies: ['宝宝，蓝牙音箱在 142 号链接', '{家人/宝宝}去小黄车看看'] },
      { line: 4, keywords: [], event: 'enter', replies: ['欢迎{nickname}'] },
    ]);
    expect(p.preview.lines.map((l) => [l.line, l.summary, l.sample])).toEqual([
      [2, '音响 / 音箱 / 低音炮 → 2 条回复', '宝宝，蓝牙音箱在 142 号链接'],
      [4, '进入直播间 → 1 条回复 （进入消息类型为假设 ASSUMED，见视频号自检 / the enter message type is ASSUMED, see the self-check）', '欢迎小美'],
    ]);
  });

  it('says in the preview that the console bridge reports no follows or orders', () => {
    const p = parseSet('reply', '@关注|谢谢关注\n@下单|感谢下单\n发货|江苏发货', seeded(1));
    expect(p.preview.errors).toBe(0);
    const [follow, order, plain] = p.preview.lines.map((l) => l.summary);
    expect(follow).toContain('不推送关注事件');
    expect(order).toContain('不推送下单事件');
    expect(plain).toBe('发货 → 1 条回复');
  });

  it('reports every bad line with its number and why', () => {
    const p = parseSet('reply', '发货|江苏\n没有竖线\n|只有回复\n尺码|\n颜色|{红/}\n@进入/发货|混写\n价格|{未知变量}');
    expect(p.preview.errors).toBe(6);
    expect(p.preview.lines.filter((l) => l.error).map((l) => l.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(p.preview.lines[1]!.error).toContain('缺少「|」');
    expect(p.preview.lines[6]!.error).toContain('未知变量');
    expect(p.replies).toHaveLength(1);
  });

  it('matches case-insensitively, first line wins, only its event', () => {
    const { replies } = parseSet('reply', 'Link/链接|A\n链接|B\n@下单|C');
    expect(matchReply(replies, 'comment', '求LINK')!.line).toBe(1);
    expect(matchReply(replies, 'comment', '链接呢')!.replies).toEqual(['A']);
    expect(matchReply(replies, 'comment', '你好')).toBeNull();
    expect(matchReply(replies, 'order', '')!.line).toBe(3);
    expect(matchReply(replies, 'enter', '')).toBeNull();
  });
});

describe('messages, 上墙 keywords, 序号 lists', () => {
  it('one message per line; over 50 characters refused (the peer’s limit)', () => {
    const p = parseSet('message', `欢迎{宝宝/家人/老铁}进入直播间\n${'长'.repeat(51)}\n{a/${'b'.repeat(51)}}`);
    expect(p.messages.map((m) => m.line)).toEqual([1]);
    expect(p.preview.lines.map((l) => !!l.error)).toEqual([false, true, true]);
  });

  it('上墙 keywords by line or / , ，', () => {
    const p = parseSet('pin', '好看/喜欢\n回购，已拍');
    expect(p.pinKeywords).toEqual(['好看', '喜欢', '回购', '已拍']);
  });

  it('序号 list `1,4,7,8,12`, ranges and Chinese separators; bad tokens by line', () => {
    expect(parseSet('rotation', '1,4,7,8,12').seqs).toEqual([1, 4, 7, 8, 12]);
    expect(parseSet('rotation', '1，3-5、9\n2 6').seqs).toEqual([1, 3, 4, 5, 9, 2, 6]);
    const bad = parseSet('rotation', '1,2\n3,x\n0\n9-2');
    expect(bad.preview.lines.map((l) => l.error === null)).toEqual([true, false, false, false]);
    expect(bad.seqs).toEqual([1, 2]);
  });

  it('more than 500 lines is one error', () => {
    const p = parseSet('message', Array.from({ length: 501 }, (_, i) => `m${i}`).join('\n'));
    expect(p.preview.errors).toBe(1);
    expect(p.preview.lines[0]!.error).toContain('500');
  });
});

describe('templates', () => {
  it('fills choices, nickname and product', () => {
    const r = seeded(3);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(fill('欢迎{宝宝/家人/老铁}', { random: r }));
    expect(seen).toEqual(new Set(['欢迎宝宝', '欢迎家人', '欢迎老铁']));
    expect(fill('@{用户名} {商品}', { nickname: '小美', product: '保温杯', random: r })).toBe('@小美 保温杯');
    expect(templateError('{a/b}{nickname}')).toBeNull();
    expect(templateError('{a/b')).toContain('不成对');
    expect(templateError('{{a}}')).toContain('不成对');
    expect(maskNickname('小美同学')).toBe('小***');
  });

  it('vary never returns the previous text', () => {
    const r = seeded(9);
    let prev: string | null = null;
    for (let i = 0; i < 500; i++) {
      const out = vary('关注主播', prev, r);
      expect(out).not.toBe(prev);
      prev = out;
    }
    for (let i = 0; i < 200; i++) expect(vary('好', '好', r, true)).not.toBe('好');
    // adversarial: a random that always answers 0 still gives something new
    expect(vary('ab', 'ab', () => 0, true)).not.toBe('ab');
    expect(vary('ab', 'ab～', () => 0, true)).not.toBe('ab～');
  });
});
