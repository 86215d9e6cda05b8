// How LiveCue shows numbers to people — one module for every view (desk, host display, dashboard, review, replay, the
// OBS overlay page and OBS text sources, push templates). Pure functions; the values stay integer fen / epoch ms.
import { yuanLabel } from './money.ts';

const DASH = '—';
const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

// ── prices (a product's price: exact to the fen, never rounded) ──

/** a price, exact: 1 299 950 fen → "¥12999.5", 12 900 → "¥129" */
export const price: (fen: number) => string = yuanLabel;

/** The price rule, one definition: the selling price is the live price when one is set, else the list price; the list
 * price is shown struck through ("was") only when a live price is set AND lower — a "was" price equal to or below the
 * selling price would tell the viewer something false. */
export function priceDisplay(p: { price: number; livePrice: number | null }): { now: string; was: string | null } {
  const live = p.livePrice;
  return { now: price(live ?? p.price), was: live !== null && live < p.price ? price(p.price) : null };
}

// ── figures (totals and rates over a session: GMV, AOV, GPM) ──

/** a money figure: thousands separators; whole yuan from ¥10 000 up (a dashboard tile), else up to 2 decimals;
 * "—" when there is no figure. 1 032 000 → "¥10,320", 89 350 → "¥893.5". Never use it for a product's price. */
export function money(fen: number | null | undefined): string {
  if (missing(fen)) return DASH;
  return `¥${(fen / 100).toLocaleString('zh-CN', { maximumFractionDigits: fen >= 1_000_000 ? 0 : 2 })}`;
}

/** a ratio as a percentage: 0.1234 → "12.3%" */
export const pct = (v: number | null | undefined, digits = 1): string => (missing(v) ? DASH : `${(v * 100).toFixed(digits)}%`);

/** a count, rounded, with separators: 12345.6 → "12,346" */
export const num = (v: number | null | undefined): string => (missing(v) ? DASH : Math.round(v).toLocaleString('zh-CN'));

/** a rate with one decimal: 4.25 → "4.3"; signed: +6.0 */
export const rate = (v: number | null | undefined, signed = false): string =>
  missing(v) ? DASH : `${signed && v > 0 ? '+' : ''}${v.toFixed(1)}`;

// ── times (epoch ms shown in the desk's local time zone; durations in ms) ──

const two = (n: number) => String(n).padStart(2, '0');

/** 65_000 → "01:05", 3_700_000 → "1:01:40" (a segment timer, a duration) */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** a duration, "—" when unknown */
export const duration = (ms: number | null): string => (ms === null ? DASH : clock(ms));

/** a time of day: "20:05" */
export function hhmm(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** a time of day with seconds: "20:05:09" */
export function hhmmss(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** a date and time: "2026-06-18 20:05", "—" when unknown */
export function dateTime(epochMs: number | null): string {
  if (epochMs === null) return DASH;
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${hhmm(epochMs)}`;
}
