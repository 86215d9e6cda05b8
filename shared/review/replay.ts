// Replay: what the views showed at one moment of a stored session, computed from its report alone, so the review screen
// can play back at 60× without asking the core for every frame. The core's GET /replay answers with the same function.
import type { ReplayFrame, ReviewSegment, SessionReport, TimelineMinute } from '../protocol/review.ts';

const MINUTE = 60_000;

/** Index of the last element whose key is ≤ at (binary search; arrays sorted by key), or −1. */
export function lastAtOrBefore<T>(list: readonly T[], at: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]!) <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** the segment open at `at` (segments never overlap: pinning closes the previous one) */
export function segmentAt(segments: readonly ReviewSegment[], at: number): ReviewSegment | null {
  const i = lastAtOrBefore(segments, at, (s) => s.startedAt);
  if (i < 0) return null;
  const s = segments[i]!;
  return s.endedAt === null || at < s.endedAt ? s : null;
}

/** Start and end of what can be replayed: session start (else first data) to session end (else last data). */
export function replayRange(report: SessionReport): { start: number; end: number } {
  const firstData = Math.min(report.online[0]?.[0] ?? Infinity, report.timeline[0]?.t ?? Infinity, report.segments[0]?.startedAt ?? Infinity);
  const lastOnline = report.online.at(-1)?.[0] ?? 0;
  const lastMinute = (report.timeline.at(-1)?.t ?? -MINUTE) + MINUTE;
  const start = report.session.startedAt ?? (Number.isFinite(firstData) ? firstData : 0);
  const end = report.session.endedAt ?? Math.max(lastOnline, lastMinute, start);
  return { start, end: Math.max(start, end) };
}

export function frameAt(report: SessionReport, at: number): ReplayFrame {
  const { start } = replayRange(report);
  const seg = segmentAt(report.segments, at);
  const product = seg ? report.products.find((p) => p.productId === seg.productId) : undefined;
  const item = seg ? report.lineup.find((l) => l.itemId === seg.lineupItemId) ?? report.lineup.find((l) => l.productId === seg.productId) : undefined;

  // next up, as the live desk showed it (SessionRepo.nextItem): the lineup item after the pinned or last pinned
  // segment's own item; the first item when no segment so far came from the lineup
  const si = lastAtOrBefore(report.segments, at, (s) => s.startedAt);
  const ref = si >= 0 ? report.segments[si]! : null;
  const refIndex = ref?.lineupItemId != null ? report.lineup.findIndex((l) => l.itemId === ref.lineupItemId) : -1;
  const after = report.lineup[refIndex + 1];
  const next: ReplayFrame['next'] = after ? { productId: after.productId, title: after.title } : null;

  const oi = lastAtOrBefore(report.online, at, (p) => p[0]);
  const online = oi >= 0 && at - report.online[oi]![0] <= 5 * MINUTE ? report.online[oi]![1] : null;

  // cumulative figures: the minutes that ended before `at`, plus the running minute pro rata is not knowable from
  // rollups, so the running minute counts once it has ended (a replay is at most one minute behind on totals)
  const mi = lastAtOrBefore(report.timeline, at - MINUTE, (m) => m.t);
  const m: TimelineMinute | undefined = mi >= 0 ? report.timeline[mi] : undefined;

  const recent = report.markers.filter((k) => k.ts <= at && k.ts > at - MINUTE);
  const rec = report.recordings[0];
  const videoSeconds = rec && at >= rec.startedAt ? (at - rec.startedAt) / 1000 : null;

  return {
    at,
    elapsedMs: Math.max(0, at - start),
    pinned: seg
      ? {
          productId: seg.productId,
          title: seg.title,
          livePrice: product?.livePrice ?? null,
          price: product?.price ?? 0,
          segmentStartedAt: seg.startedAt,
          plannedMinutes: item?.plannedMinutes ?? null,
        }
      : null,
    next,
    online,
    viewersUv: m?.uvCum ?? 0,
    gmv: m?.gmvCum ?? 0,
    orders: m?.ordersCum ?? 0,
    conversion: m?.conversion ?? null,
    recent,
    videoSeconds,
  };
}
