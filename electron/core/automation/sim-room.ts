// A simulated live room behind the RoomControl seam, for trying rules and for browser tests before a real console is
// connected (`LIVECUE_ROOM_SIM=1`; never on by default). Viewers enter, ask, praise and order at random; what
// automation sends comes back as the shop's `reply` event, as the console feed would show it. The timings and the
// vocabulary are made up (ASSUMED), not taken from a real room.
import type { RoomControl, RoomEvent } from '../room.ts';

const QUESTIONS = ['哪里发货呀', '什么时候发货', '尺码偏大吗', '这个多少钱', '链接在哪', '怎么买'];
const PRAISE = ['衣服好看', '已回购', '喜欢这个颜色'];
const CHAT = ['主播好', '来了来了', '666', '有优惠吗', '质量怎么样'];

export interface SimulatedRoomOptions {
  /** mean gap between viewer events, ms */
  gapMs?: number;
  random?: () => number;
  now?: () => number;
}

export class SimulatedRoom implements RoomControl {
  readonly live = true;
  readonly sent: { text: string; at: number }[] = [];
  readonly pinned: string[] = [];
  readonly explained: number[] = [];
  private readonly listeners = new Set<(e: RoomEvent) => void>();
  private readonly gapMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private n = 0;

  constructor(options: SimulatedRoomOptions = {}) {
    this.gapMs = options.gapMs ?? 2000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  private later(fn: () => void): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        fn();
        resolve();
      }, 200 + this.random() * 600);
      t.unref?.();
    });
  }

  sendComment(text: string): Promise<void> {
    return this.later(() => {
      this.sent.push({ text, at: this.now() });
      this.emit({ kind: 'reply', nickname: '小店', text });
    });
  }
  pinComment(eventId: string): Promise<void> {
    return this.later(() => this.pinned.push(eventId));
  }
  explainSeq(seq: number): Promise<void> {
    return this.later(() => this.explained.push(seq));
  }
  endExplain(): Promise<void> {
    return this.later(() => {});
  }

  onEvent(fn: (e: RoomEvent) => void): () => void {
    this.listeners.add(fn);
    this.schedule();
    return () => {
      this.listeners.delete(fn);
      if (!this.listeners.size && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  }

  private schedule(): void {
    if (this.timer || !this.listeners.size) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.step();
      this.schedule();
    }, this.gapMs * (0.5 + this.random()));
    this.timer.unref?.();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private step(): void {
    const nickname = `观众${String(1 + Math.floor(this.random() * 40)).padStart(2, '0')}`;
    const x = this.random();
    if (x < 0.2) this.emit({ kind: 'enter', nickname, text: '' });
    else if (x < 0.25) this.emit({ kind: 'order', nickname, text: '' });
    else if (x < 0.6) this.emit({ kind: 'comment', nickname, text: this.pick(QUESTIONS) });
    else if (x < 0.75) this.emit({ kind: 'comment', nickname, text: this.pick(PRAISE) });
    else this.emit({ kind: 'comment', nickname, text: this.pick(CHAT) });
  }

  private emit(e: Omit<RoomEvent, 'id' | 'ts' | 'sessionId'>): void {
    const event: RoomEvent = { ...e, id: `sim-${++this.n}`, ts: this.now(), sessionId: null };
    for (const fn of this.listeners) fn(event);
  }
}
