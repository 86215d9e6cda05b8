// The lineup domain as the review domain reads it (issue #15, "Domain APIs instead of cross-domain SQL"): sessions,
// their lineup and their pinned segments as typed values. The lineup module implements it (`LineupModule.api`,
// lineup/api.ts, over the session repo); it lives in the core so that review uses it without importing the lineup
// domain (as metrics-api.ts does). modules.ts hands it to `ReviewModule`.
import type { LineupItem, Segment, SessionStatus, SessionSummary } from '../../shared/domain.ts';

/** Which sessions a list shows (every field optional: all sessions). */
export interface SessionFilter {
  /** a part of the title (matched literally: % and _ are not wildcards) */
  q?: string;
  status?: 'all' | SessionStatus;
  /** started at or after (epoch ms) */
  from?: number;
  /** started at or before (epoch ms) */
  to?: number;
}

export interface LineupApi {
  /** the session, or not_found */
  summary(sessionId: number): SessionSummary;
  /** the sessions the filter selects, newest first (by start, else planned start, else creation; then id) */
  findSessions(filter: SessionFilter): SessionSummary[];
  /** the sessions on air now (normally one) */
  liveSessionIds(): number[];
  /** the session's lineup, in order */
  lineupItems(sessionId: number): LineupItem[];
  /** every pinned segment of the session, in time order */
  segments(sessionId: number): Segment[];
  /** an ended session brought in from a file (no lineup, no pins); its id. Runs inside the caller's transaction. */
  createEndedSession(input: { title: string; startedAt: number; endedAt: number }, now: number): number;
  /** removes a session an import made before it failed (with its lineup and segments, if any) */
  removeSession(sessionId: number): void;
}
