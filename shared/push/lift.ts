// Push lift, defined once for the push domain (push.history) and the review report: new viewers per minute in the
// 5 minutes after a push's first delivery minus the 5 minutes before. Only a delivered push has a lift, and "after"
// exists once its window has passed.

/** the window on each side of the first delivery */
export const LIFT_WINDOW_MS = 5 * 60_000;

/** new viewers per minute in [fromMs, toMs), or null without data there (provided by the metrics domain) */
export type NewViewersPerMinute = (sessionId: number, fromMs: number, toMs: number) => number | null;

export interface LiftFigures {
  beforePerMin: number | null;
  afterPerMin: number | null;
  lift: number | null;
  /** the "after" window has not passed yet: the figures will change */
  open: boolean;
}

export function pushLift(rate: NewViewersPerMinute | undefined, sessionId: number, firstSentAt: number | null, now: number): LiftFigures {
  if (firstSentAt === null) return { beforePerMin: null, afterPerMin: null, lift: null, open: false };
  const at = firstSentAt;
  const open = now < at + LIFT_WINDOW_MS;
  const beforePerMin = rate ? rate(sessionId, at - LIFT_WINDOW_MS, at) : null;
  const afterPerMin = rate && !open ? rate(sessionId, at, at + LIFT_WINDOW_MS) : null;
  return { beforePerMin, afterPerMin, lift: beforePerMin !== null && afterPerMin !== null ? afterPerMin - beforePerMin : null, open };
}
