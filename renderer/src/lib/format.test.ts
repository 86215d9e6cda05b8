import { describe, expect, it } from 'vitest';
import { clock, timerLevel } from './format.ts';

describe('segment timer', () => {
  it('formats elapsed time', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(65_000)).toBe('01:05');
    expect(clock(3_700_000)).toBe('1:01:40');
    expect(clock(-5)).toBe('00:00');
  });
  it('turns amber at 80 % of the planned minutes and red past them', () => {
    expect(timerLevel(3 * 60_000, 5)).toBe('ok');
    expect(timerLevel(4 * 60_000 - 1, 5)).toBe('ok');
    expect(timerLevel(4 * 60_000, 5)).toBe('warn');
    expect(timerLevel(5 * 60_000, 5)).toBe('warn');
    expect(timerLevel(5 * 60_000 + 1, 5)).toBe('over');
    expect(timerLevel(99 * 60_000, 0)).toBe('ok'); // no plan, no alarm
  });
});
