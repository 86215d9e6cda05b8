import { describe, expect, it } from 'vitest';
import { LIFT_WINDOW_MS, pushLift } from './lift.ts';

describe('push lift (one definition for push.history and the review report)', () => {
  const calls: [number, number][] = [];
  const rate = (_s: number, from: number, to: number) => {
    calls.push([from, to]);
    return from < 1_000_000 ? 4 : 10; // 4/min before the push at 1 000 000, 10/min after
  };

  it('is after − before over the 5 minutes on each side of the first delivery, once the after window has passed', () => {
    calls.length = 0;
    expect(pushLift(rate, 1, 1_000_000, 1_000_000 + LIFT_WINDOW_MS)).toEqual({ beforePerMin: 4, afterPerMin: 10, lift: 6, open: false });
    expect(calls).toEqual([
      [1_000_000 - 300_000, 1_000_000],
      [1_000_000, 1_300_000],
    ]);
  });

  it('has no after (and no lift) while the window is open, and nothing for an undelivered push or without metrics', () => {
    expect(pushLift(rate, 1, 1_000_000, 1_000_000 + LIFT_WINDOW_MS - 1)).toEqual({
      beforePerMin: 4,
      afterPerMin: null,
      lift: null,
      open: true,
    });
    expect(pushLift(rate, 1, null, 2_000_000)).toEqual({ beforePerMin: null, afterPerMin: null, lift: null, open: false });
    expect(pushLift(undefined, 1, 1_000_000, 9_000_000)).toEqual({ beforePerMin: null, afterPerMin: null, lift: null, open: false });
  });
});
