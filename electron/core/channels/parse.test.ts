import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../../../tests/helpers/serve.ts';
import { findBrowser } from './browser.ts';
import { priceFen, matchRow } from './bridge.ts';
import { loadConsoleMap, normTitle, pageKind, parseConsoleMap } from './map.ts';
import fs from 'node:fs';
import { cleanText, matchKeywords, parseLiveMsg } from './parse.ts';

const map = loadConsoleMap(path.join(root, 'resources/channels/console-map.json'));

describe('channels console map and live/msg parsing', () => {
  it('reads comments, enters, 上墙 and replies and figures, skips unknown types and comments without an id', () => {
    const feed = parseLiveMsg(map, {
      errCode: 0,
      data: {
        liveInfo: { liveId: 'L1', onlineCnt: 321, likeCnt: '45' },
        msgList: [
          { type: 1, clientMsgId: 'a', seq: 1, nickname: '小王', content: '多少钱' },
          { type: 10005, clientMsgId: 'b', seq: 2, nickname: '路人', content: '' },
          { type: 1, seq: 3, nickname: '无id', content: 'seq 也可作为 id' },
          { type: 1, nickname: '坏', content: '没有 id 也没有 seq' },
          { type: 1, clientMsgId: 'c', nickname: 'x\u0000y', content: 42 },
        ],
      },
    });
    expect(feed.messages).toEqual([
      { key: 'a', kind: 'comment', nickname: '小王', content: '多少钱' },
      { key: 'b', kind: 'enter', nickname: '路人', content: '' },
      { key: '3', kind: 'comment', nickname: '无id', content: 'seq 也可作为 id' },
      // a numeric body (“666”) is still a comment; control characters never reach the panel
      { key: 'c', kind: 'comment', nickname: 'x y', content: '42' },
    ]);
    expect(feed).toMatchObject({ online: 321, likes: 45, liveId: 'L1', loggedOut: false });
  });

  it('reads replies from appMsgList: msgType 20002, base64 JSON payload (peer commentListener.ts)', () => {
    const payload = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64');
    const feed = parseLiveMsg(map, {
      errCode: 0,
      data: {
        msgList: [{ type: 10017, clientMsgId: 's1', nickname: '小王', content: '多少钱' }, { type: 99, clientMsgId: 'x', content: 'unknown' }],
        appMsgList: [
          { msgType: 20002, clientMsgId: 'r1', payload: payload({ content: '39 元，已上链接', reply_original_msg_type: 1 }), fromUserContact: { contact: { nickname: '小店' } } },
          { msgType: 20001, clientMsgId: 'r2', payload: payload({ content: 'other type' }) },
          { msgType: 20002, clientMsgId: 'r3', payload: 'not base64 json' },
        ],
      },
    });
    expect(feed.messages).toEqual([
      { key: 's1', kind: 'stick', nickname: '小王', content: '多少钱' },
      { key: 'r1', kind: 'reply', nickname: '小店', content: '39 元，已上链接' },
    ]);
    // the peer skips a response whose errCode is not 0
    expect(parseLiveMsg(map, { errCode: 1, data: { msgList: [{ type: 1, clientMsgId: 'a', content: 'x' }] } }).messages).toEqual([]);
  });

  it('every map entry names its source; the map refuses an entry without one', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(root, 'resources/channels/console-map.json'), 'utf8'));
    expect(Object.keys(map.sources).length).toBeGreaterThan(30);
    expect(map.sources['selectors.productRow']).toMatchObject({ source: 'peer' });
    expect(map.sources['selectors.microApp']).toMatchObject({ source: 'framework' });
    expect(map.sources['selectors.productRowTitle']).toMatchObject({ source: 'assumed' });
    delete raw.selectors.productRow.source;
    expect(() => parseConsoleMap(raw)).toThrow(/selectors\.productRow\.source/);
  });

  it('maps by title: exact first, then normalised; ambiguous when the normal form matches several rows; prices in fen', () => {
    const row = (seq: number, title: string) => ({ seq, title, price: '', image: null, button: '讲解' });
    const rows = [row(1, '纯棉T恤 白色'), row(2, '纯棉Ｔ恤白色'), row(3, '保温杯'), row(4, '保温 杯')];
    expect(matchRow(rows, '纯棉T恤 白色')).toEqual({ row: rows[0] });
    expect(matchRow(rows, '  保温杯 ')).toEqual({ row: rows[2] });
    expect(matchRow(rows, '纯棉t恤白色 ')).toEqual({ ambiguous: 2 });
    expect(matchRow([row(7, '羊毛围巾 （灰）')], '羊毛围巾(灰)')).toEqual({ row: { ...row(7, '羊毛围巾 （灰）') } });
    expect(matchRow(rows, '运动鞋')).toEqual({ missing: true });
    expect(normTitle('ＡＢＣ 1')).toBe('abc1');
    expect(priceFen('¥1,299.5')).toBe(129950);
    expect(priceFen('¥39')).toBe(3900);
    expect(priceFen('—')).toBeNull();
  });

  it('recognises the logged-out error codes and shrugs at garbage', () => {
    expect(parseLiveMsg(map, { errCode: 300333 }).loggedOut).toBe(true);
    for (const junk of [null, 'x', [], { data: { msgList: 'no' } }]) {
      const f = parseLiveMsg(map, junk);
      expect(f.messages).toEqual([]);
      expect(f.online).toBeNull();
    }
  });

  it('caps and cleans text, matches keywords case-insensitively', () => {
    expect(cleanText('a\nb' + 'x'.repeat(600)).length).toBe(500);
    expect(matchKeywords('请问 LINK 和尺码', ['link', '尺码', '多少钱'])).toEqual(['link', '尺码']);
  });

  it('classifies console URLs by the map, and only on the console origin', () => {
    expect(pageKind(map, 'https://channels.weixin.qq.com/login.html?redirect=1')).toBe('login');
    expect(pageKind(map, 'https://channels.weixin.qq.com/platform')).toBe('home');
    expect(pageKind(map, 'https://channels.weixin.qq.com/platform/live/liveBuild')).toBe('liveControl');
    expect(pageKind(map, 'https://channels.weixin.qq.com/platform/live/commodity/onsale/index')).toBe('onSale');
    expect(pageKind(map, 'https://evil.example/platform/live/liveBuild')).toBe('other');
  });

  it('uses a configured browser only if it exists, and never invents one', () => {
    expect(findBrowser('/opt/chrome', (p) => p === '/opt/chrome')).toBe('/opt/chrome');
    expect(findBrowser('/opt/missing', (p) => p !== '/opt/missing')).toBeNull();
    expect(findBrowser(null, () => false)).toBeNull();
  });
});
