// Review domain of the protocol (直播复盘): the sessions list, one session's report, replay frames, compare, exports and
// imports. The report carries everything the review screen and replay need, so replay runs from one fetch.
import { z } from 'zod';
import { epochMs, id } from './fields.ts';
import type { SessionSummary } from '../domain.ts';
import type { DeliveryStatus, PushTrigger } from './push.ts';


export const commands = {
  /** the sessions list: search by title, filter by status and by start date */
  'review.sessions': z.strictObject({
    q: z.string().trim().max(120).optional(),
    status: z.enum(['all', 'draft', 'live', 'ended']).optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
  }),
  'review.report': z.strictObject({ sessionId: id }),
  /** what every view showed at one moment of a session (replay), from stored data */
  'review.replay': z.strictObject({ sessionId: id, at: epochMs }),
  /** two sessions side by side, aligned by minutes since start */
  'review.compare': z.strictObject({ a: id, b: id }),
  /** the whole session as one JSON bundle another LiveCue imports intact */
  'review.exportBundle': z.strictObject({ sessionId: id }),
  'review.importBundle': z.strictObject({ bundle: z.unknown() }),
  /** files a video on this machine as the session's recording (an imported session's is never taken from the bundle) */
  'review.linkRecording': z.strictObject({ sessionId: id, path: z.string().min(1).max(4096) }),
  /** 视频号助手 live-data export (CSV or XLSX bytes, base64), for sessions not recorded live */
  'review.importChannelsExport': z.strictObject({
    base64: z.string().max(28_000_000),
    fileName: z.string().max(260).optional(),
    title: z.string().trim().min(1).max(120).optional(),
  }),
} satisfies Record<string, z.ZodType>;

/** a session's own fields, as the lineup domain has them */
type SessionFields = Pick<SessionSummary, 'id' | 'title' | 'status' | 'plannedStart' | 'startedAt' | 'endedAt'>;

export interface ReviewSessionRow extends SessionFields {
  /** ended − started, or now − started while live; null before start */
  durationMs: number | null;
  peakOnline: number;
  viewersUv: number;
  gmv: number;
  orders: number;
  /** pay UV ÷ viewer UV */
  viewerConversion: number | null;
  /** simulator / wechat-api / wechat-push / ingest / import */
  source: string;
  /** ran on the simulator at any time (metric_source_runs): a rehearsal, 彩排, never a real show (#13) */
  rehearsal: boolean;
}

/** One minute of the timeline (t = minute start, epoch ms). Cumulative fields are at the end of the minute. */
export interface TimelineMinute {
  t: number;
  onlineAvg: number | null;
  onlineMax: number | null;
  newViewers: number;
  gmv: number;
  orders: number;
  /** cumulative viewer conversion (pay UV ÷ viewer UV) at the end of the minute */
  conversion: number | null;
  uvCum: number;
  gmvCum: number;
  ordersCum: number;
  payUvCum: number;
  comments: number;
  /** stream health lane (OBS): mean bitrate, worst dropped-frame ratio, whether streaming; null without samples */
  bitrateKbps: number | null;
  droppedRatio: number | null;
  streaming: boolean | null;
}

export type MarkerKind = 'push' | 'scene' | 'alert' | 'stream' | 'record' | 'automation';
export interface ReviewMarker {
  ts: number;
  kind: MarkerKind;
  label: string;
}

export interface ReviewSegment {
  segmentId: number;
  productId: number;
  lineupItemId: number | null;
  title: string;
  startedAt: number;
  endedAt: number | null;
}

export interface ProductRow {
  productId: number;
  title: string;
  livePrice: number | null;
  price: number;
  timesPinned: number;
  pinnedMs: number;
  /** planned minutes in the lineup (sum over its lineup items); null when not in the lineup */
  plannedMinutes: number | null;
  exposureUv: number;
  clickUv: number;
  payUv: number;
  orders: number;
  gmv: number;
  /** GMV sold while it was pinned (paid orders inside its segments; else the funnel's GMV delta), fen */
  gmvDuring: number;
  /** orders inside its segments (else pay UV delta) */
  ordersDuring: number;
  /** GMV during its segments ÷ pinned minutes, fen per minute; null when never pinned */
  gmvPerPinnedMinute: number | null;
  /** product CTR (click UV ÷ exposure UV) and click-to-pay (pay UV ÷ click UV) during its segments vs outside them */
  ctrDuring: number | null;
  ctrOutside: number | null;
  conversionDuring: number | null;
  conversionOutside: number | null;
  /** best / worst by GMV per pinned minute among pinned products */
  rank: 'best' | 'worst' | null;
}

export interface PushRow {
  pushId: number;
  createdAt: number;
  trigger: PushTrigger;
  title: string;
  channels: { channelId: number; name: string; kind: string; status: DeliveryStatus; lastError: string | null }[];
  sent: number;
  failed: number;
  unknown: number;
  /** new viewers per minute in the 5 minutes before and after; lift = after − before */
  beforePerMin: number | null;
  afterPerMin: number | null;
  lift: number | null;
}

export interface ReportSummary {
  durationMs: number | null;
  peakOnline: number;
  peakAt: number | null;
  viewersUv: number;
  viewsPv: number;
  averageDwellSeconds: number | null;
  dwellMethod: string;
  gmv: number;
  orders: number;
  /** #11: orders placed outside the live room during the session (橱窗, short videos, 公众号…): not in GMV */
  otherOrders?: { orders: number; gmv: number };
  /** GMV ÷ PV × 1000 */
  gpm: number | null;
  productCtr: number | null;
  clickToPay: number | null;
  viewerConversion: number | null;
  uvValue: number | null;
  averageOrderValue: number | null;
  best: { productId: number; title: string; gmvPerPinnedMinute: number } | null;
  worst: { productId: number; title: string; gmvPerPinnedMinute: number } | null;
  /** the steepest fall of online viewers over 60 s */
  worstDrop: { at: number; from: number; to: number; pct: number } | null;
  pushes: number;
  /** the summary a host reads in a minute, one sentence a line (Chinese first) */
  lines: string[];
}

export interface ReportRecording {
  path: string;
  /** when OBS started writing it (epoch ms): video time 0 */
  startedAt: number;
  /** the core can serve it (GET /api/v1/sessions/:id/recording, HTTP ranges) */
  available: boolean;
  sizeBytes: number | null;
}

export interface SessionReport {
  session: SessionFields & { source: string; rehearsal: boolean };
  provisional: boolean;
  summary: ReportSummary;
  /** [time, online] per second (the chart decimates) */
  online: [number, number][];
  timeline: TimelineMinute[];
  segments: ReviewSegment[];
  /** lineup in order, for replay's "next up" */
  lineup: { itemId: number; productId: number; position: number; plannedMinutes: number; title: string }[];
  markers: ReviewMarker[];
  products: ProductRow[];
  pushes: PushRow[];
  recordings: ReportRecording[];
  computedMs: number;
}

/** What the views showed at one moment (replay). */
export interface ReplayFrame {
  at: number;
  /** ms since start */
  elapsedMs: number;
  pinned: { productId: number; title: string; livePrice: number | null; price: number; segmentStartedAt: number; plannedMinutes: number | null } | null;
  next: { productId: number; title: string } | null;
  online: number | null;
  viewersUv: number;
  gmv: number;
  orders: number;
  conversion: number | null;
  /** the markers within the last 60 s */
  recent: ReviewMarker[];
  /** video position in the first recording, seconds; null outside it */
  videoSeconds: number | null;
}

export interface CompareSide {
  sessionId: number;
  title: string;
  startedAt: number | null;
  rehearsal: boolean;
  summary: ReportSummary;
  /** by minute since start (m = 0, 1, 2 …) */
  minutes: { m: number; online: number | null; newViewers: number; gmv: number; gmvCum: number; conversion: number | null }[];
}

export interface SessionBundle {
  format: 'livecue.session';
  version: 1;
  exportedAt: number;
  app: string;
  /** the tables of one session, rows as objects; products referenced by the session are included */
  data: Record<string, Record<string, unknown>[]>;
}

export interface ImportSessionResult {
  sessionId: number;
  title: string;
  rows: number;
  /** a 视频号助手 list of lives: one ended session per row (sessionId is the first of them) */
  sessionIds?: number[];
  lives?: number;
}

export interface Results {
  'review.sessions': ReviewSessionRow[];
  'review.report': SessionReport;
  'review.replay': ReplayFrame;
  'review.compare': { a: CompareSide; b: CompareSide };
  'review.exportBundle': SessionBundle;
  'review.importBundle': ImportSessionResult;
  'review.linkRecording': { sessionId: number; path: string; sizeBytes: number };
  'review.importChannelsExport': ImportSessionResult;
}

export type Events = { type: 'review.imported'; sessionId: number };
