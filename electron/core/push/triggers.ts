// Automatic pushes: reminders before the planned start (T-30, T-5 …), stream start (from OBS), a 爆款 product pinned.
// Each rule fires at most once per session: the pushes table has a unique index on (session_id, rule_id), so even two
// racing triggers cannot both queue. A trigger writes its push in its own transaction right after the event that
// caused it; on start-up the pin and stream-start cases are caught up, so a crash between the two loses nothing.
import type { Product, SessionState } from '../../../shared/domain.ts';
import type { CoreEvent } from '../../../shared/protocol/index.ts';
import type { PushRule } from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import type { PushRepo } from './outbox.ts';

/**
 * The OBS contract (see docs/push.md): any core event `{ type: 'obs.streamStarted', sessionId?: number }` means the
 * broadcast went live; `{ type: 'obs.streamStopped' }` that it ended. Without sessionId the live session is meant.
 */
export const OBS_STREAM_STARTED = 'obs.streamStarted' satisfies CoreEvent['type'];
export const OBS_STREAM_STOPPED = 'obs.streamStopped' satisfies CoreEvent['type'];

export type FireRule = (rule: PushRule, sessionId: number, product: Product | null) => number | null;

export class Triggers {
  private readonly core: Core;
  private readonly store: PushRepo;
  private readonly fire: FireRule;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** OBS is streaming: a session that goes live now counts as "stream started" for it */
  private streaming = false;

  constructor(core: Core, store: PushRepo, fire: FireRule, tickMs = 15_000) {
    this.core = core;
    this.store = store;
    this.fire = fire;
    this.tickMs = tickMs;
  }

  start(): void {
    this.unsubscribe = this.core.subscribe((event) => this.onEvent(event));
    this.catchUp();
    this.tick();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private rules(kind: PushRule['kind']): PushRule[] {
    return this.store.listRules().filter((r) => r.kind === kind && r.enabled);
  }

  onEvent(event: CoreEvent | { type: string; [k: string]: unknown }): void {
    if (event.type === 'session.changed') {
      const session = (event as { session: SessionState }).session;
      if (session.status !== 'live') return;
      if (session.pinned?.hot) for (const rule of this.rules('hot_pin')) this.fire(rule, session.id, session.pinned);
      if (this.streaming) for (const rule of this.rules('stream_start')) this.fire(rule, session.id, null);
    } else if (event.type === OBS_STREAM_STARTED) {
      this.streaming = true;
      // typed by the obs protocol; still checked, as another emitter may leave it out (then the live session is meant)
      const given: unknown = event.sessionId;
      const ids = typeof given === 'number' ? [given] : this.liveSessions().map((s) => s.id);
      for (const id of ids) for (const rule of this.rules('stream_start')) this.fire(rule, id, null);
    } else if (event.type === OBS_STREAM_STOPPED) {
      this.streaming = false;
    }
  }

  private liveSessions(): SessionState[] {
    return this.core.sessions.activeStates().filter((s) => s.status === 'live');
  }

  /** a hot product on pin now whose rule has not fired (the process died between the pin and the push) */
  catchUp(): void {
    for (const s of this.liveSessions()) {
      if (s.pinned?.hot) for (const rule of this.rules('hot_pin')) if (!this.store.hasFired(s.id, rule.id)) this.fire(rule, s.id, s.pinned);
    }
  }

  /**
   * Reminders: a rule is due from (planned start − offset) until the planned start. When several are due at once (the
   * desk opened at T-3 with T-30 and T-5 rules), only the closest one fires: one message, not a burst of stale ones.
   */
  tick(now = this.core.now()): void {
    const rules = this.rules('reminder');
    if (!rules.length) return;
    for (const s of this.core.sessions.list()) {
      if (s.status !== 'draft' || s.plannedStart === null || now >= s.plannedStart) continue;
      const due = rules.filter((r) => now >= s.plannedStart! - r.offsetMinutes! * 60_000);
      if (!due.length) continue;
      const closest = due.reduce((a, b) => (b.offsetMinutes! < a.offsetMinutes! ? b : a));
      if (!this.store.hasFired(s.id, closest.id)) this.fire(closest, s.id, null);
    }
  }
}
