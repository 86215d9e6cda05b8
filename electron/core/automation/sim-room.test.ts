// The simulated room (LIVECUE_ROOM_SIM=1): viewer events only while someone listens, our comments read back as the
// shop's `reply`, 上墙 and 讲解 recorded.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoomEvent } from '../room.ts';
import { seeded } from '../../../tests/helpers/automation.ts';
import { SimulatedRoom } from './sim-room.ts';

afterEach(() => vi.useRealTimers());

describe('SimulatedRoom', () => {
  it('emits a mix of viewer events while subscribed, and stops when nobody listens', async () => {
    vi.useFakeTimers();
    const room = new SimulatedRoom({ gapMs: 1000, random: seeded(3) });
    const events: RoomEvent[] = [];
    const off = room.onEvent((e) => events.push(e));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(events.length).toBeGreaterThan(80); // mean gap 1 s (0.5–1.5 s)
    expect(events.length).toBeLessThan(250);
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['comment', 'enter', 'order'] as const) expect(kinds.has(k)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    off();
    const n = events.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.length).toBe(n);
  });

  it('reads our comment back as the shop’s reply; records pins and 讲解', async () => {
    vi.useFakeTimers();
    const room = new SimulatedRoom({ gapMs: 1e9, random: seeded(1) });
    const events: RoomEvent[] = [];
    room.onEvent((e) => events.push(e));
    const sent = room.sendComment('@小美 江苏发货');
    await vi.advanceTimersByTimeAsync(1000);
    await sent;
    expect(events).toEqual([expect.objectContaining({ kind: 'reply', text: '@小美 江苏发货' })]);
    await Promise.all([room.pinComment('sim-9'), room.explainSeq(4), vi.advanceTimersByTimeAsync(1000)]);
    expect(room.pinned).toEqual(['sim-9']);
    expect(room.explained).toEqual([4]);
  });
});
