// Timeline markers recorded while a session is live: OBS scene switches and newly raised alerts. Listens to core events
// and never blocks or breaks them: a failed write is logged and dropped.
import type { Alert } from '../../../shared/metrics/formulas.ts';
import type { CoreEvent } from '../../../shared/protocol/index.ts';
import type { Core } from '../core.ts';
import type { LineupApi } from '../lineup-api.ts';

export type MarkerKind = 'scene' | 'alert';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The alert as the producer would say it (Chinese first). */
export function alertLabel(a: Alert): string {
  switch (a.kind) {
    case 'onlineDrop':
      return `在线 60 秒内下跌 ${pct(a.value)}（阈值 ${pct(a.threshold)}）`;
    case 'overrun':
      return `讲解超时 ${a.value.toFixed(1)} 分钟（计划 ${a.threshold} 分钟）`;
    case 'lowConversion':
      return `讲解转化率偏低：${(a.value * 100).toFixed(1)}%，低于 ${(a.threshold * 100).toFixed(1)}%`;
  }
}

/** the alert kind a stored label was written for (labels start with a phrase per kind, see alertLabel) */
export function alertKindOfLabel(label: string): Alert['kind'] | null {
  if (label.startsWith('在线 60 秒内下跌')) return 'onlineDrop';
  if (label.startsWith('讲解超时')) return 'overrun';
  if (label.startsWith('讲解转化率偏低')) return 'lowConversion';
  return null;
}

/** alerts recorded this long before a process's first tick of a session still count as active (a restart mid-alert) */
const RESUME_WINDOW_MS = 120_000;

export class MarkerRecorder {
  private readonly core: Core;
  private readonly insert;
  private readonly lineup: Pick<LineupApi, 'liveSessionIds'>;
  /** last scene OBS reported (across sessions: a switch is relative to what was on air) */
  private scene: string | null = null;
  /** alert kinds active in the previous tick, per session */
  private readonly active = new Map<number, Set<string>>();
  private unsubscribe: (() => void) | null = null;

  constructor(core: Core, lineup: Pick<LineupApi, 'liveSessionIds'>) {
    this.core = core;
    this.lineup = lineup;
    this.insert = core.db.prepare('INSERT INTO session_markers (session_id, ts, kind, label) VALUES (?, ?, ?, ?)');
    this.recentAlerts = core.db.prepare<[number, number], { label: string }>(
      "SELECT label FROM session_markers WHERE session_id = ? AND kind = 'alert' AND ts >= ?",
    );
  }

  private readonly recentAlerts;

  /** Alert kinds already marked just before this process saw the session's first tick: not raised again. */
  private resumed(sessionId: number, ts: number): Set<string> {
    const kinds = new Set<string>();
    for (const r of this.recentAlerts.all(sessionId, ts - RESUME_WINDOW_MS)) {
      const kind = alertKindOfLabel(r.label);
      if (kind) kinds.add(kind);
    }
    return kinds;
  }

  attach(onWrite?: (sessionId: number) => void): void {
    this.unsubscribe = this.core.subscribe((event) => {
      try {
        for (const id of this.onEvent(event)) onWrite?.(id);
      } catch (error) {
        this.core.log(`review: marker not recorded: ${(error as Error).message}`);
      }
    });
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Handles one event; answers the sessions that got a marker. */
  onEvent(event: CoreEvent): number[] {
    if (event.type === 'obs.status') {
      const next = event.status.currentScene;
      // null while OBS is disconnected: the next scene it reports is compared with the last one on air
      if (next === null || next === this.scene) return [];
      const previous = this.scene;
      this.scene = next;
      if (previous === null) return [];
      const ids = this.lineup.liveSessionIds();
      if (ids.length) this.write(ids.map((id) => ({ sessionId: id, kind: 'scene', label: `切换场景：${next}` })));
      return ids;
    }
    if (event.type === 'metrics.tick') {
      const { sessionId, alerts } = event.tick;
      const before = this.active.get(sessionId) ?? this.resumed(sessionId, event.tick.ts);
      const now = new Set(alerts.map((a) => a.kind));
      this.active.set(sessionId, now);
      const raised = alerts.filter((a, i) => !before.has(a.kind) && alerts.findIndex((b) => b.kind === a.kind) === i);
      if (!raised.length) return [];
      this.write(
        raised.map((a) => ({ sessionId, kind: 'alert', label: alertLabel(a) })),
        event.tick.ts,
      );
      return [sessionId];
    }
    if (event.type === 'session.changed' && event.session.status === 'ended') this.active.delete(event.session.id);
    return [];
  }

  private write(rows: { sessionId: number; kind: MarkerKind; label: string }[], ts = this.core.now()): void {
    this.core.db
      .transaction(() => {
        for (const r of rows) this.insert.run(r.sessionId, ts, r.kind, r.label.slice(0, 200));
      })
      .immediate();
  }
}
