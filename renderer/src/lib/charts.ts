// Chart.js set up once for every chart of the app (live dashboard, review timeline, compare): the registered pieces,
// the dark look, the options every time-series line chart shares, and the pinned-segment bands. The review screen
// adds zoom/pan and its markers on top (components/review/charts.ts).
import { Chart, Decimation, Filler, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import annotationPlugin from 'chartjs-plugin-annotation';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Filler, Decimation, Legend, annotationPlugin);

export { Chart };
export type Pt = { x: number; y: number };

export const GRID = '#2a3340';
export const TICK = '#8b97a5';

/** what every line chart here does: no animation, pre-parsed sorted points ({x, y}), fills its box, nearest-x tooltip */
export const LINE_BASE = {
  animation: false,
  parsing: false,
  normalized: true,
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: 'nearest', axis: 'x', intersect: false },
} as const;

/** a product title short enough for a band label */
export const shortTitle = (title: string) => (title.length > 9 ? `${title.slice(0, 8)}…` : title);

/** the shaded band of the i-th pinned segment (alternating warm/cool so neighbours stay apart) */
export function segmentBand(i: number, xMin: number, xMax: number, label: object) {
  return {
    type: 'box' as const,
    xMin,
    xMax,
    backgroundColor: i % 2 ? 'rgba(61,139,253,0.12)' : 'rgba(255,90,54,0.14)',
    borderWidth: 0,
    label,
  };
}
