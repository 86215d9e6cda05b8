import { describe, expect, it } from 'vitest';
import { formatYuan, parseYuan } from './money.ts';

describe('money', () => {
  it.each([
    ['99', 9900],
    ['99.9', 9990],
    ['99.90', 9990],
    ['0.05', 5],
    ['¥1,299.00', 129900],
    ['￥19.9', 1990],
    [' 8 ', 800],
  ])('parseYuan(%s) = %i fen', (text, fen) => expect(parseYuan(text)).toBe(fen));

  it.each(['', 'abc', '1.234', '-5', '1e3', '9.'])('parseYuan(%s) is not an amount', (text) => expect(parseYuan(text)).toBeNull());

  it('formats without float drift', () => {
    expect(formatYuan(12990)).toBe('129.9');
    expect(formatYuan(12900)).toBe('129');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(1)).toBe('0.01');
    expect(formatYuan(-250)).toBe('-2.5');
    // 0.1 + 0.2 style inputs never reach here: fen are integers
    expect(formatYuan(30)).toBe('0.3');
  });
});
