import { describe, expect, it } from 'vitest';
import { PinHistory, targetOf } from './pin-history.ts';

describe('PinHistory (Ctrl+Z of pin / next / unpin)', () => {
  it('restores what was on pin before each action, newest first, per session', () => {
    const h = new PinHistory();
    h.record(1, null); // pinned item 10 from nothing
    h.record(1, { lineupItemId: 10, productId: 5 }); // NEXT to item 11
    h.record(1, { lineupItemId: 11, productId: 6 }); // UNPIN
    h.record(2, { lineupItemId: null, productId: 9 }); // another session: a product pinned outside the lineup
    expect(h.pop(1)).toEqual({ lineupItemId: 11 });
    expect(h.pop(1)).toEqual({ lineupItemId: 10 });
    expect(h.pop(1)).toBeNull(); // undo the first pin = unpin
    expect(h.pop(1)).toBeUndefined(); // nothing left to undo
    expect(h.pop(2)).toEqual({ productId: 9 });
  });

  it('keeps at most `limit` steps, dropping the oldest', () => {
    const h = new PinHistory(3);
    for (let i = 1; i <= 5; i++) h.record(1, { lineupItemId: i, productId: i });
    expect(h.size(1)).toBe(3);
    expect([h.pop(1), h.pop(1), h.pop(1), h.pop(1)]).toEqual([{ lineupItemId: 5 }, { lineupItemId: 4 }, { lineupItemId: 3 }, undefined]);
  });

  it('targetOf prefers the lineup item and falls back to the product', () => {
    expect(targetOf({ lineupItemId: 3, productId: 7 })).toEqual({ lineupItemId: 3 });
    expect(targetOf({ lineupItemId: null, productId: 7 })).toEqual({ productId: 7 });
    expect(targetOf(null)).toBeNull();
  });
});
