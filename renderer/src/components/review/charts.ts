// Chart.js for the review screen: the same dark look as the dashboard, plus zoom/pan (chartjs-plugin-zoom) and the
// annotation helpers (segment bands, marker lines, the replay cursor) every review chart shares.
import {
  Chart,
  Decimation,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import annotationPlugin from 'chartjs-plugin-annotation';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { MarkerKind, ReviewMarker, ReviewSegment } from '../../../../shared/protocol/review.ts';
import { hhmmss } from '../../lib/review.svelte.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Filler, Decimation, Legend, annotationPlugin, zoomPlugin);

export { Chart };
export type Pt = { x: number; y: number };

export const GRID = '#2a3340';
export const TICK = '#8b97a5';

export const MARKER_COLORS: Record<MarkerKind, string> = {
  push: '#3d8bfd',
  scene: '#c38bff',
  alert: '#ff3b5c',
  stream: '#16c172',
  record: '#ffb020',
};

const short = (title: string) => (title.length > 9 ? `${title.slice(0, 8)}…` : title);

/** time ticks: seconds when the view spans under 10 minutes, else hh:mm */
export function timeTick(span: number) {
  return (v: number | string) => {
    const s = hhmmss(Number(v));
    return span < 10 * 60_000 ? s : s.slice(0, 5);
  };
}

/** shaded bands for the pinned segments, vertical lines for markers, and the replay cursor */
export function reviewAnnotations(segments: readonly ReviewSegment[], markers: readonly ReviewMarker[], end: number, cursor: number, labels: boolean) {
  const out: Record<string, object> = {};
  segments.forEach((s, i) => {
    out[`seg${i}`] = {
      type: 'box',
      xMin: s.startedAt,
      xMax: s.endedAt ?? end,
      backgroundColor: i % 2 ? 'rgba(61,139,253,0.12)' : 'rgba(255,90,54,0.14)',
      borderWidth: 0,
      label: { display: labels, content: short(s.title), position: { x: 'start', y: 'start' }, color: '#c9d3dd', font: { size: 10 } },
    };
  });
  markers.forEach((m, i) => {
    out[`mk${i}`] = {
      type: 'line',
      xMin: m.ts,
      xMax: m.ts,
      borderColor: MARKER_COLORS[m.kind],
      borderWidth: 1,
      borderDash: m.kind === 'scene' ? [3, 3] : undefined,
      label: { display: false, content: m.label },
    };
  });
  out.cursor = { type: 'line', xMin: cursor, xMax: cursor, borderColor: '#ffffff', borderWidth: 1.5, drawTime: 'afterDatasetsDraw' };
  return out;
}

export type Annotations = Record<string, { xMin?: number; xMax?: number }>;
export const annotationsOf = (chart: Chart): Annotations =>
  (chart.options.plugins as unknown as { annotation: { annotations: Annotations } }).annotation.annotations;
