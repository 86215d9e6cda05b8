import { describe, expect, it } from 'vitest';
import { explainNetworkError, readableError } from './net-errors.ts';

describe('network errors explained (#13)', () => {
  it('turns Node and browser errors into what they mean, keeping the original', () => {
    expect(readableError('connect ECONNREFUSED 127.0.0.1:4455', 'zh')).toBe('对方拒绝连接：对方程序没有运行，或地址/端口填错了（connect ECONNREFUSED 127.0.0.1:4455）');
    expect(explainNetworkError('TypeError: Failed to fetch')?.zh).toContain('连不上 LiveCue 中控');
    expect(explainNetworkError('getaddrinfo ENOTFOUND qyapi.weixin.qq.com')?.en).toContain('does not resolve');
    expect(explainNetworkError("browserType.launch: Executable doesn't exist at /x/chrome")?.zh).toContain('无法启动浏览器');
  });
  it('shows the half of a "中文 / English" message in the UI language, and other messages whole', () => {
    expect(readableError('标题：不能为空 / title: must not be empty', 'zh')).toBe('标题：不能为空');
    expect(readableError('标题：不能为空 / title: must not be empty', 'en')).toBe('title: must not be empty');
    expect(readableError('webhook 地址无效或机器人已被移出群 / invalid webhook URL (93000): copy the robot’s webhook URL from the WeCom group again', 'zh')).toBe('webhook 地址无效或机器人已被移出群');
    expect(readableError('something odd happened', 'zh')).toBe('something odd happened');
    expect(readableError('a / b', 'zh')).toBe('a / b');
  });
});
