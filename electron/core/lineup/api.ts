// The lineup API the review domain reads through (electron/core/lineup-api.ts), over the session repo.
import type { LineupApi } from '../lineup-api.ts';
import type { SessionRepo } from './sessions.ts';

/** The lineup API over the repo `sessions()` returns (read at each call: the module hands it out before it is attached). */
export function createLineupApi(sessions: () => SessionRepo): LineupApi {
  return {
    summary: (sessionId) => sessions().summary(sessionId),
    findSessions: (filter) => sessions().find(filter),
    liveSessionIds: () => sessions().liveIds(),
    lineupItems: (sessionId) => sessions().items(sessionId),
    segments: (sessionId) => sessions().segments(sessionId),
    createEndedSession: (input, now) => sessions().createEnded(input, now),
    removeSession: (sessionId) => sessions().remove(sessionId),
  };
}
