import { describe, expect, it } from 'vitest';
import { clock, dateTime, duration, hhmm, hhmmss, money, num, pct, price, priceDisplay, rate } from './present.ts';

describe('presentation: one way to show money, percent and time', () => {
  it('a price is exact to the fen, whatever its size (the replay ¥13,000 vs host ¥12999.5 defect)', () => {
    expect(price(1_299_950)).toBe('¥12999.5');
    expect(price(12_900)).toBe('¥129');
    expect(price(9_990)).toBe('¥99.9');
    expect(price(5)).toBe('¥0.05');
  });

  it('the original price shows struck through only when a lower live price is set', () => {
    expect(priceDisplay({ price: 19_900, livePrice: 12_900 })).toEqual({ now: '¥129', was: '¥199' });
    expect(priceDisplay({ price: 19_900, livePrice: null })).toEqual({ now: '¥199', was: null });
    expect(priceDisplay({ price: 19_900, livePrice: 19_900 })).toEqual({ now: '¥199', was: null });
    expect(priceDisplay({ price: 19_900, livePrice: 25_000 })).toEqual({ now: '¥250', was: null });
    expect(priceDisplay({ price: 1_399_900, livePrice: 1_299_950 })).toEqual({ now: '¥12999.5', was: '¥13999' });
  });

  it('a money figure groups thousands and drops the fen from ¥10 000 up; missing is a dash', () => {
    expect(money(1_032_000)).toBe('¥10,320');
    expect(money(89_350)).toBe('¥893.5');
    expect(money(0)).toBe('¥0');
    expect(money(null)).toBe('—');
    expect(money(undefined)).toBe('—');
  });

  it('percent, counts and rates', () => {
    expect(pct(0.1234)).toBe('12.3%');
    expect(pct(0.1234, 2)).toBe('12.34%');
    expect(pct(null)).toBe('—');
    expect(num(12_345.6)).toBe('12,346');
    expect(num(Number.NaN)).toBe('—');
    expect(rate(4.25)).toBe('4.3');
    expect(rate(6, true)).toBe('+6.0');
    expect(rate(-2, true)).toBe('-2.0');
  });

  it('durations and times of day', () => {
    expect(clock(65_000)).toBe('01:05');
    expect(clock(3_700_000)).toBe('1:01:40');
    expect(duration(null)).toBe('—');
    const t = new Date(2026, 5, 18, 20, 5, 9).getTime();
    expect(hhmm(t)).toBe('20:05');
    expect(hhmmss(t)).toBe('20:05:09');
    expect(dateTime(t)).toBe('2026-06-18 20:05');
  });
});
