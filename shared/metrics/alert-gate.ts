// Hysteresis for the producer's alerts (#13): a raw condition must hold for `minSamples` one-second evaluations in a
// row before its alert is raised, and a raised alert stays until the condition has been false for `holdSeconds`.
// Segment-scoped alerts start over when the segment changes. Without this, 本段转化低于场均 fired 1–2 s into every
// segment (no payer yet) and flapped three times in 13 s. Pure: the metrics module keeps one gate per session.
import type { Alert, AlertKind } from './formulas.ts';

export interface GateConfig {
  minSamples: number;
  holdSeconds: number;
}

interface Entry {
  scope: string;
  lastSec: number;
  samples: number;
  raised: Alert | null;
  clearSince: number | null;
}

const KINDS: AlertKind[] = ['onlineDrop', 'overrun', 'lowConversion'];

export class AlertGate {
  private readonly entries = new Map<AlertKind, Entry>();

  /**
   * @param raw the conditions true now (formulas.ts alerts())
   * @param scope the open segment's id (segment alerts reset when it changes)
   * @param now epoch ms; evaluations within the same second count once
   */
  update(raw: Alert[], scope: string, now: number, config: GateConfig): Alert[] {
    const sec = Math.floor(now / 1000);
    const out: Alert[] = [];
    for (const kind of KINDS) {
      const scoped = kind === 'onlineDrop' ? '' : scope;
      let e = this.entries.get(kind);
      if (!e || e.scope !== scoped) {
        e = { scope: scoped, lastSec: -1, samples: 0, raised: null, clearSince: null };
        this.entries.set(kind, e);
      }
      const hit = raw.find((a) => a.kind === kind) ?? null;
      if (sec !== e.lastSec) {
        e.lastSec = sec;
        if (hit) {
          e.samples++;
          e.clearSince = null;
          if (e.raised || e.samples >= Math.max(1, config.minSamples)) e.raised = hit;
        } else {
          e.samples = 0;
          if (e.raised) {
            e.clearSince ??= now;
            if (now - e.clearSince >= config.holdSeconds * 1000) {
              e.raised = null;
              e.clearSince = null;
            }
          }
        }
      } else if (hit && e.raised) {
        e.raised = hit; // same second: keep the newest figure
      }
      if (e.raised) out.push(e.raised);
    }
    return out;
  }
}
