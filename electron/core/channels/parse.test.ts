import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../../../tests/helpers/serve.ts';
import { findBrowser } from './browser.ts';
import { loadConsoleMap, pageKind } from './map.ts';
import { cleanText, matchKeywords, parseLiveMsg } from './parse.ts';

const map = loadConsoleMap(path.join(root, 'resources/channels/console-map.json'));

describe('channels console map and live/msg parsing', () => {
  it('reads comments and figures, skips other message types and comments without an id', () => {
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
    expect(feed.comments).toEqual([
      { key: 'a', nickname: '小王', content: '多少钱' },
      { key: '3', nickname: '无id', content: 'seq 也可作为 id' },
      // a numeric body (“666”) is still a comment; control characters never reach the panel
      { key: 'c', nickname: 'x y', content: '42' },
    ]);
    expect(feed).toMatchObject({ online: 321, likes: 45, liveId: 'L1', loggedOut: false });
  });

  it('recognises the logged-out error codes and shrugs at garbage', () => {
    expect(parseLiveMsg(map, { errCode: 300333 }).loggedOut).toBe(true);
    for (const junk of [null, 'x', [], { data: { msgList: 'no' } }]) {
      const f = parseLiveMsg(map, junk);
      expect(f.comments).toEqual([]);
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
