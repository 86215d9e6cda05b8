// A fake RoomControl for tests and the simulated-room figures: it keeps what automation sent, pinned and popped, with
// the (fake) clock time each landed, and answers after a delay like the console bridge does (typing into the comment
// box and clicking 发送 takes a moment; the delay here is ASSUMED, see docs/automation.md).
import type { RoomControl, RoomEvent } from '../../electron/core/room.ts';
import { CoreError } from '../../electron/core/errors.ts';

export class FakeRoom implements RoomControl {
  live = true;
  /** ms each action takes; a function for a spread */
  delay: () => number = () => 300;
  failNext = 0;
  readonly sent: { text: string; at: number }[] = [];
  readonly pins: { eventId: string; at: number }[] = [];
  readonly explains: { seq: number; at: number }[] = [];
  ends = 0;
  private readonly listeners = new Set<(e: RoomEvent) => void>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  private act(fn: () => void): Promise<void> {
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        if (!this.live) return reject(new CoreError('unavailable', '视频号未开播 / the room is not live'));
        if (this.failNext > 0) {
          this.failNext--;
          return reject(new CoreError('unavailable', '控制台拒绝 / the console refused'));
        }
        fn();
        resolve();
      }, this.delay()),
    );
  }

  sendComment(text: string): Promise<void> {
    return this.act(() => this.sent.push({ text, at: this.now() }));
  }
  pinComment(eventId: string): Promise<void> {
    return this.act(() => this.pins.push({ eventId, at: this.now() }));
  }
  explainSeq(seq: number): Promise<void> {
    return this.act(() => this.explains.push({ seq, at: this.now() }));
  }
  endExplain(): Promise<void> {
    return this.act(() => this.ends++);
  }
  onEvent(fn: (e: RoomEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private n = 0;
  /** a viewer event as the bridge would deliver it */
  emit(e: Partial<RoomEvent> & { nickname: string }): RoomEvent {
    const event: RoomEvent = { id: e.id ?? `m${++this.n}`, kind: e.kind ?? 'comment', ts: e.ts ?? this.now(), nickname: e.nickname, text: e.text ?? '', sessionId: e.sessionId ?? null };
    for (const fn of this.listeners) fn(event);
    return event;
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}
