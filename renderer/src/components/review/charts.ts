// The review screen's charts: the app's chart module (lib/charts.ts) plus zoom/pan (chartjs-plugin-zoom) and the
// annotation helpers (segment bands, marker lines, the replay cursor) every review chart shares.
import zoomPlugin from 'chartjs-plugin-zoom';
import type { MarkerKind, ReviewMarker, ReviewSegment } from '../../../../shared/protocol/review.ts';
import { Chart, segmentBand, shortTitle } from '../../lib/charts.ts';
import { hhmmss } from '../../lib/format.ts';

Chart.register(zoomPlugin);

export { Chart, GRID, LINE_BASE, TICK, type Pt } from '../../lib/charts.ts';

export const MARKER_COLORS: Record<MarkerKind, string> = {
  push: '#3d8bfd',
  scene: '#c38bff',
  alert: '#ff3b5c',
  stream: '#16c172',
  record: '#ffb020',
  automation: '#2ec4b6',
};

/** time tick labels: with seconds while the view (as zoomed now) spans under 10 minutes, else hh:mm */
export function timeTick(this: { min: number; max: number }, v: number | string): string {
  const s = hhmmss(Number(v));
  return this.max - this.min < 10 * 60_000 ? s : s.slice(0, 5);
}

const STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000);

/** time ticks on round local times (20:15, 20:30 …), at most `count` of them, whatever the zoom */
export function roundTicks(min: number, max: number, count = 9): { value: number }[] {
  const step = STEPS.find((s) => (max - min) / s <= count) ?? STEPS.at(-1)!;
  // local midnight-aligned: shift by the zone offset so hour steps land on the hour here, not in UTC
  const zone = -new Date(min).getTimezoneOffset() * 60_000;
  const ticks: { value: number }[] = [];
  for (let v = Math.ceil((min + zone) / step) * step - zone; v <= max; v += step) ticks.push({ value: v });
  return ticks;
}

/** shaded bands for the pinned segments, vertical lines for markers, and the replay cursor */
export function reviewAnnotations(segments: readonly ReviewSegment[], markers: readonly ReviewMarker[], end: number, cursor: number, labels: boolean) {
  const out: Record<string, object> = {};
  segments.forEach((s, i) => {
    const xMax = s.endedAt ?? end;
    out[`seg${i}`] = segmentBand(i, s.startedAt, xMax, {
      // a title only where its band is wide enough to read (zooming in reveals the rest)
      display: (ctx: { chart: Chart }) => labels && wide(ctx.chart, s.startedAt, xMax, 64),
      content: shortTitle(s.title),
      position: { x: 'start', y: 'start' },
      color: '#c9d3dd',
      font: { size: 10 },
    });
  });
  markers.forEach((m, i) => {
    out[`mk${i}`] = {
      type: 'line',
      xMin: m.ts,
      xMax: m.ts,
      // thin and translucent: an 8-hour session has hundreds, and the figures must stay readable through them
      borderColor: MARKER_COLORS[m.kind] + (m.kind === 'alert' || m.kind === 'push' ? 'cc' : '80'),
      borderWidth: 1,
      borderDash: m.kind === 'scene' ? [3, 3] : undefined,
    };
  });
  out.cursor = { type: 'line', xMin: cursor, xMax: cursor, borderColor: '#ffffff', borderWidth: 1.5, drawTime: 'afterDatasetsDraw' };
  return out;
}

function wide(chart: Chart, from: number, to: number, px: number): boolean {
  const x = chart.scales.x;
  return !!x && x.getPixelForValue(Math.min(to, x.max)) - x.getPixelForValue(Math.max(from, x.min)) > px;
}

export type Annotations = Record<string, { xMin?: number; xMax?: number }>;
export const annotationsOf = (chart: Chart): Annotations =>
  (chart.options.plugins as unknown as { annotation: { annotations: Annotations } }).annotation.annotations;
