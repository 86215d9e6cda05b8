// The lift of a push: new viewers per minute after it vs before it (the rule is shared/push/lift.ts, the figures come
// from metrics through the function modules.ts hands in), per push and averaged per kind of channel reached.
import { type KindLift, type Push, type PushLift, REACH_KINDS, type ReachKind } from '../../../shared/protocol/push.ts';
import { type NewViewersPerMinute, pushLift } from '../../../shared/push/lift.ts';

export class PushLifts {
  private readonly newViewers: NewViewersPerMinute | undefined;
  private readonly now: () => number;

  constructor(newViewers: NewViewersPerMinute | undefined, now: () => number) {
    this.newViewers = newViewers;
    this.now = now;
  }

  /** first moment a push reached channels of this kind, or null */
  private firstSentOf(push: Push, kind: ReachKind): number | null {
    const times =
      kind === 'robot'
        ? push.deliveries.filter((d) => d.status === 'sent' && d.sentAt !== null).map((d) => d.sentAt!)
        : push.customer.filter((c) => c.target === kind && c.sentAt !== null && c.status === 'sent').map((c) => c.sentAt!);
    return times.length ? Math.min(...times) : null;
  }

  /** average lift over the pushes that reached each kind of channel (robots = internal staff groups) */
  byKind(pushes: Push[]): KindLift[] {
    return REACH_KINDS.map((kind) => {
      const reached = pushes.filter((p) => (kind === 'robot' ? p.deliveries.length > 0 : p.customer.some((c) => c.target === kind)));
      const lifts = reached
        .map((p) => {
          const at = this.firstSentOf(p, kind);
          return at === null ? null : this.of({ ...p, firstSentAt: at });
        })
        .map((l) => l?.lift ?? null)
        .filter((x): x is number => x !== null);
      return {
        kind,
        pushes: reached.length,
        measured: lifts.length,
        avgLift: lifts.length ? lifts.reduce((a, b) => a + b, 0) / lifts.length : null,
      };
    });
  }

  of(push: Push): PushLift | null {
    if (push.firstSentAt === null) return null;
    const { beforePerMin, afterPerMin, lift } = pushLift(this.newViewers, push.sessionId, push.firstSentAt, this.now());
    return { pushId: push.id, at: push.firstSentAt, beforePerMin, afterPerMin, lift };
  }
}
