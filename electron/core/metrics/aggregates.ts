// The sessions the metrics domain follows and their running aggregates: ingest (all or nothing per batch, the
// aggregate follows only a committed batch), an aggregate rebuilt from SQLite when missing, and the segment/start
// changes of a session applied to it.
import type { SessionState } from '../../../shared/domain.ts';
import type { MetricEvent } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import type { OrderChange, SessionAggregate } from './aggregate.ts';
import type { MetricsRepo } from './repo.ts';

export class SessionAggregates {
  private readonly core: Core;
  private readonly store: MetricsRepo;
  /** running aggregates by session id */
  readonly aggregates = new Map<number, SessionAggregate>();
  /** the latest state of every session that has not ended */
  readonly states = new Map<number, SessionState>();
  /** called when an aggregate is rebuilt from SQLite (cached figures of it are stale) */
  private readonly onRebuild: () => void;

  constructor(core: Core, store: MetricsRepo, onRebuild: () => void) {
    this.core = core;
    this.store = store;
    this.onRebuild = onRebuild;
    for (const s of core.sessions.activeStates()) this.states.set(s.id, s);
  }

  /** One batch, one transaction; the running aggregate follows only a committed batch. */
  ingest(sessionId: number, events: MetricEvent[]): { stored: number; duplicates: number } {
    const aggregate = this.of(sessionId);
    try {
      return this.store.transaction(() => {
        const changes: OrderChange[] = [];
        const stored = this.store.insertEvents(sessionId, events, changes);
        const delta = aggregate.apply(stored);
        aggregate.applyOrderChanges(changes, delta);
        this.store.writeRollups(sessionId, delta);
        return { stored: stored.length + changes.length, duplicates: events.length - stored.length - changes.length };
      });
    } catch (error) {
      // the aggregate may hold part of a batch that rolled back: rebuild it from SQLite next time
      this.aggregates.delete(sessionId);
      throw error;
    }
  }

  /** the session's aggregate, rebuilt from its rollups when it is not in memory */
  of(sessionId: number): SessionAggregate {
    let aggregate = this.aggregates.get(sessionId);
    if (aggregate) return aggregate;
    const summary = this.core.sessions.summary(sessionId);
    aggregate = this.store.rebuild(sessionId, summary.startedAt ?? summary.createdAt, this.core.sessions.segments(sessionId));
    this.onRebuild();
    this.aggregates.set(sessionId, aggregate);
    return aggregate;
  }

  /** the session's latest state (kept while it has not ended) */
  state(sessionId: number): SessionState {
    let s = this.states.get(sessionId);
    if (!s) {
      s = this.core.sessions.state(sessionId);
      if (s.status !== 'ended') this.states.set(sessionId, s);
    }
    return s;
  }

  /** A session changed: its state is kept (or dropped once ended) and its aggregate follows its start and segments. */
  follow(state: SessionState): SessionAggregate | undefined {
    const prev = this.states.get(state.id);
    if (state.status === 'ended') this.states.delete(state.id);
    else this.states.set(state.id, state);
    const aggregate = this.aggregates.get(state.id);
    if (aggregate) {
      if (state.startedAt !== null) aggregate.startMs = state.startedAt;
      if (
        prev?.segmentsCount !== state.segmentsCount ||
        prev?.segment?.endedAt !== state.segment?.endedAt ||
        !state.segment ||
        state.status === 'ended'
      ) {
        aggregate.setSegments(this.core.sessions.segments(state.id));
      }
    }
    return aggregate;
  }
}
