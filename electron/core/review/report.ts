// One session's report (复盘): the per-second online curve and per-minute timeline from the rollups, segments, lineup,
// markers, the per-product table, pushes with their lift, recordings and the host's one-minute summary. Reads only the
// rollups plus a few indexed look-ups (segment boundaries, per-product order totals), never a replay of raw events.
// Every other domain is read through its API (metrics, push, obs, lineup, automation: electron/core/*-api.ts, handed in
// as ReviewDeps), never its tables; products through the core's catalog repo (architecture.md, known debt 1).
import { ImportsLog } from './imports-log.ts';
import type { ReviewDeps } from './module.ts';
import { videoFile } from './recording.ts';
import { type Figures, ratio } from '../../../shared/metrics/formulas.ts';
import type { MetricsSnapshot } from '../../../shared/protocol/metrics.ts';
import { pushLift } from '../../../shared/push/lift.ts';
import type {
  ProductRow,
  PushRow,
  ReportRecording,
  ReportSummary,
  ReviewMarker,
  ReviewSegment,
  SessionReport,
  TimelineMinute,
} from '../../../shared/protocol/review.ts';
import type { SessionSummary } from '../../../shared/domain.ts';
import type { Core } from '../core.ts';
import type { MetricsApi, ProductFunnelCounts } from '../metrics-api.ts';
import type { OutputEvent } from '../obs-api.ts';

const MINUTE = 60_000;
const FAR_FUTURE = 8.64e15;

interface Funnel {
  exp: number;
  clk: number;
  pay: number;
  gmv: number;
}
const zeroFunnel = (): Funnel => ({ exp: 0, clk: 0, pay: 0, gmv: 0 });
const funnelOf = (f: ProductFunnelCounts): Funnel => ({ exp: f.exposureUv, clk: f.clickUv, pay: f.payUv, gmv: f.gmv });

/** A product as the report names it (the catalog's row, deleted ones included: old sessions still show them). */
interface ProductInfo {
  title: string;
  price: number;
  livePrice: number | null;
}

export class ReportBuilder {
  private readonly core: Core;
  private readonly deps: ReviewDeps;
  private readonly metrics: MetricsApi;
  private readonly imports: ImportsLog;
  private readonly cache = new Map<number, { fingerprint: string; report: SessionReport }>();
  /** first delivery time per push of the report being built (its marker time) */
  private readonly pushAt = new Map<number, number>();
  /** set while building when a push's lift window is still open */
  private liftPending = false;

  /** the review's own timeline markers (session_markers, migration 0006) */
  private readonly markerRows;
  /** what a cached report depends on among them (with the other domains' change marks: see fingerprint) */
  private readonly markerMark;

  constructor(core: Core, deps: ReviewDeps) {
    this.core = core;
    this.deps = deps;
    this.metrics = deps.metrics;
    this.imports = new ImportsLog(core.db);
    this.markerRows = core.db.prepare<[number], { ts: number; kind: 'scene' | 'alert'; label: string }>(
      'SELECT ts, kind, label FROM session_markers WHERE session_id = ? ORDER BY ts, id',
    );
    this.markerMark = core.db.prepare<[number], { m: string | null }>(
      "SELECT count(*) || ':' || max(id) AS m FROM session_markers WHERE session_id = ?",
    );
  }

  /** the catalog's products by id for one build, each read once (deleted ones included) */
  private productLookup(): (id: number) => ProductInfo | null {
    const seen = new Map<number, ProductInfo | null>();
    return (id) => {
      let info = seen.get(id);
      if (info === undefined) {
        const p = this.core.products.getIncludingDeleted(id);
        info = p ? { title: p.title, price: p.price, livePrice: p.livePrice } : null;
        seen.set(id, info);
      }
      return info;
    };
  }

  /** Drops a session's cached report (after an import replaced its rows). */
  invalidate(sessionId: number): void {
    this.cache.delete(sessionId);
  }

  /** The report; an ended session's is computed once and served from memory while its data stays the same. */
  async report(sessionId: number): Promise<SessionReport> {
    const session = this.deps.lineup.summary(sessionId);
    const ended = session.status === 'ended';
    const fingerprint = ended ? this.fingerprint(sessionId) : '';
    const hit = this.cache.get(sessionId);
    // a recording moved or deleted since also counts as a change (cheap: a few rows and stat calls)
    if (
      ended &&
      hit &&
      hit.fingerprint === fingerprint &&
      sameRecordings(hit.report.recordings, recordingsOf(this.deps.obs.outputEvents(sessionId), this.core.dataDir))
    ) {
      return hit.report;
    }
    this.liftPending = false;
    const report = await this.build(session);
    // a push whose "after" window has not passed yet gets its lift later: such a report is not kept
    if (ended && !this.liftPending) this.cache.set(sessionId, { fingerprint, report });
    else this.cache.delete(sessionId);
    return report;
  }

  /** what a cached report depends on that can still change after the session ended: each domain's change mark */
  private fingerprint(sessionId: number): string {
    const { push, obs, automation } = this.deps;
    return `${this.metrics.changeMark(sessionId)}|${push.changeMark(sessionId)}|${this.markerMark.get(sessionId)!.m}|${obs.changeMark(sessionId)}|${automation.changeMark(sessionId)}`;
  }

  private async build(session: SessionSummary): Promise<SessionReport> {
    const started = performance.now();
    const id = session.id;
    // the live dashboard's figures are the overall numbers: a live session's straight from its snapshot; an ended
    // session's from the same formulas over its rollups (what the snapshot computes after a rebuild, without the rebuild)
    const overall =
      session.status === 'ended'
        ? this.metrics.endedSessionFigures(session)
        : ((await this.core.call('metrics.snapshot', { sessionId: id })) as MetricsSnapshot).session;
    const now = this.core.now();

    const online = this.metrics.onlineSeries(id);
    const timeline = this.timeline(id);
    const product = this.productLookup();
    // a segment or lineup row always names a product (foreign key); deleted ones are still found
    const segments: ReviewSegment[] = this.deps.lineup.segments(id).map((s) => ({
      segmentId: s.id,
      productId: s.productId,
      lineupItemId: s.lineupItemId,
      title: product(s.productId)?.title ?? '',
      startedAt: s.startedAt,
      endedAt: s.endedAt,
    }));
    const lineup = this.deps.lineup
      .lineupItems(id)
      .map((l) => ({
        itemId: l.id,
        productId: l.productId,
        position: l.position,
        plannedMinutes: l.plannedMinutes,
        title: product(l.productId)?.title ?? '',
      }));
    const products = this.products(id, segments, lineup, session.endedAt ?? now, overall.orders > 0, product);
    const pushes = this.pushes(id, now);
    const streamEvents = this.deps.obs.outputEvents(id);
    const markers = this.markers(id, pushes, streamEvents);
    const recordings = recordingsOf(streamEvents, this.core.dataDir);

    const summary = summarize({ session, overall, now, online, products, pushes });
    const other = this.metrics.otherOrders(id);
    if (other.orders > 0) summary.otherOrders = other;
    return {
      session: {
        id,
        title: session.title,
        status: session.status,
        plannedStart: session.plannedStart,
        startedAt: session.startedAt,
        endedAt: session.endedAt,
        source: sourceOf(this.imports, this.metrics, id),
        rehearsal: this.metrics.ranOnSimulator(id),
      },
      provisional: session.status !== 'ended',
      summary,
      online,
      timeline,
      segments,
      lineup,
      markers,
      products,
      pushes,
      recordings,
      computedMs: Math.round((performance.now() - started) * 100) / 100,
    };
  }

  /** One row per stored minute; cumulative values carried as running maxima (the source's counters only grow). */
  private timeline(sessionId: number): TimelineMinute[] {
    const rows = this.metrics.minuteRollups(sessionId);
    const health = new Map(this.deps.obs.healthPerMinute(sessionId).map((h) => [h.t, h]));
    // same choices as the live series: GMV from orders when the session has any, viewers from UV when the source reports it
    const useOrders = rows.some((r) => r.orders > 0);
    const hasUv = rows.some((r) => r.hasViewersUv);
    const hasFunnel = rows.some((r) => r.payUvCumulative > 0 || r.exposureUvCumulative > 0);
    const out: TimelineMinute[] = [];
    let uv = 0;
    let pay = 0;
    let rgmv = 0;
    let joins = 0;
    let ordersCum = 0;
    let gmvCum = 0;
    for (const r of rows) {
      const prevUv = uv;
      const prevRgmv = rgmv;
      if (r.readings > 0) {
        uv = Math.max(uv, r.viewersUvCumulative);
        pay = Math.max(pay, r.payUvCumulative);
        rgmv = Math.max(rgmv, r.readingsGmvCumulative);
      }
      joins += r.joins;
      ordersCum += r.orders;
      const gmv = useOrders ? r.gmv : rgmv - prevRgmv;
      gmvCum += gmv;
      const viewers = hasUv ? uv : joins;
      const payers = hasFunnel ? pay : ordersCum;
      const h = health.get(r.t);
      out.push({
        t: r.t,
        onlineAvg: r.onlineCount > 0 ? r.onlineSum / r.onlineCount : null,
        onlineMax: r.onlineCount > 0 ? r.onlineMax : null,
        newViewers: hasUv ? uv - prevUv : r.joins,
        gmv,
        orders: r.orders,
        conversion: ratio(payers, viewers),
        uvCum: viewers,
        gmvCum,
        ordersCum,
        payUvCum: payers,
        comments: r.comments,
        bitrateKbps: h?.bitrateKbps ?? null,
        droppedRatio: h?.droppedRatio ?? null,
        streaming: h ? h.streaming : null,
      });
    }
    return out;
  }

  private products(
    sessionId: number,
    segments: ReviewSegment[],
    lineup: SessionReport['lineup'],
    end: number,
    useOrders: boolean,
    product: (id: number) => ProductInfo | null,
  ): ProductRow[] {
    const totals = new Map<number, Funnel>();
    for (const f of this.metrics.productFunnels(sessionId)) {
      if (!/^\d{1,15}$/.test(f.productKey)) continue;
      totals.set(Number(f.productKey), funnelOf(f.funnel));
    }
    // orders name products by LiveCue id (as text), or only by SKU: those are matched to the catalog's SKU
    const sold = new Map<number, { orders: number; gmv: number }>();
    for (const o of this.metrics.productOrders(sessionId)) {
      const pid = o.productKey !== '' ? (/^\d{1,15}$/.test(o.productKey) ? Number(o.productKey) : null) : this.core.products.idBySku(o.sku);
      if (pid === null) continue;
      const s = sold.get(pid) ?? { orders: 0, gmv: 0 };
      s.orders += o.orders;
      s.gmv += o.gmv;
      sold.set(pid, s);
    }

    const pinned = new Map<number, { times: number; ms: number; during: Funnel; ordersGmv: number; orders: number; first: number }>();
    for (const s of segments) {
      const p = pinned.get(s.productId) ?? { times: 0, ms: 0, during: zeroFunnel(), ordersGmv: 0, orders: 0, first: s.startedAt };
      const segEnd = s.endedAt ?? Math.max(end, s.startedAt);
      p.times++;
      p.ms += Math.max(0, segEnd - s.startedAt);
      // the funnel during a segment: the product's cumulative counters at its end minus at its start
      const a = funnelOf(this.metrics.productFunnelBefore(sessionId, s.productId, s.startedAt));
      const b = funnelOf(this.metrics.productFunnelBefore(sessionId, s.productId, s.endedAt ?? FAR_FUTURE));
      p.during.exp += Math.max(0, b.exp - a.exp);
      p.during.clk += Math.max(0, b.clk - a.clk);
      p.during.pay += Math.max(0, b.pay - a.pay);
      p.during.gmv += Math.max(0, b.gmv - a.gmv);
      const o = this.metrics.productOrdersBetween(sessionId, String(s.productId), s.startedAt, s.endedAt ?? FAR_FUTURE);
      p.orders += o.orders;
      p.ordersGmv += o.gmv;
      pinned.set(s.productId, p);
    }
    const planned = new Map<number, number>();
    for (const l of lineup) planned.set(l.productId, (planned.get(l.productId) ?? 0) + l.plannedMinutes);

    const ids = [
      ...pinned.keys(),
      ...[...sold.keys()].filter((k) => !pinned.has(k)).sort((x, y) => sold.get(y)!.gmv - sold.get(x)!.gmv || x - y),
    ];
    const rows: ProductRow[] = [];
    for (const pid of ids) {
      const info = product(pid);
      if (!info) continue; // an order naming an id LiveCue never had
      const pin = pinned.get(pid);
      const total = totals.get(pid) ?? zeroFunnel();
      const s = sold.get(pid) ?? { orders: 0, gmv: 0 };
      const during = pin?.during ?? zeroFunnel();
      const outside = {
        exp: Math.max(0, total.exp - during.exp),
        clk: Math.max(0, total.clk - during.clk),
        pay: Math.max(0, total.pay - during.pay),
      };
      // GMV as the dashboard counts it: paid orders when the session has any, else the source's funnel GMV
      const gmv = useOrders ? s.gmv : total.gmv;
      // what sold while it was on pin: the measure of a pin (the cart link also sells between pins)
      const gmvDuring = pin ? (useOrders ? pin.ordersGmv : pin.during.gmv) : 0;
      const pinnedMinutes = pin ? pin.ms / MINUTE : 0;
      rows.push({
        productId: pid,
        title: info.title,
        livePrice: info.livePrice,
        price: info.price,
        timesPinned: pin?.times ?? 0,
        pinnedMs: pin?.ms ?? 0,
        plannedMinutes: planned.get(pid) ?? null,
        exposureUv: total.exp,
        clickUv: total.clk,
        payUv: total.pay,
        orders: s.orders,
        gmv,
        gmvDuring,
        ordersDuring: pin ? (useOrders ? pin.orders : during.pay) : 0,
        gmvPerPinnedMinute: pin && pinnedMinutes > 0 ? gmvDuring / pinnedMinutes : null,
        ctrDuring: pin ? ratio(during.clk, during.exp) : null,
        ctrOutside: ratio(outside.clk, outside.exp),
        conversionDuring: pin ? ratio(during.pay, during.clk) : null,
        conversionOutside: ratio(outside.pay, outside.clk),
        rank: null,
      });
    }
    const ranked = rows.filter((r) => r.gmvPerPinnedMinute !== null);
    if (ranked.length >= 2) {
      // ties go to the product pinned first
      let best = ranked[0]!;
      let worst = ranked[0]!;
      for (const r of ranked) {
        if (r.gmvPerPinnedMinute! > best.gmvPerPinnedMinute!) best = r;
        if (r.gmvPerPinnedMinute! < worst.gmvPerPinnedMinute!) worst = r;
      }
      if (best === worst) worst = ranked.find((r) => r !== best)!;
      best.rank = 'best';
      worst.rank = 'worst';
    }
    return rows;
  }

  private pushes(sessionId: number, now: number): PushRow[] {
    const byPush = new Map<number, PushRow['channels']>();
    for (const d of this.deps.push.messageDeliveries(sessionId)) {
      const list = byPush.get(d.pushId) ?? [];
      list.push({ channelId: d.channelId, name: d.channelName, kind: d.channelKind, status: d.status, lastError: redact(d.lastError) });
      byPush.set(d.pushId, list);
    }
    this.pushAt.clear();
    return this.deps.push.sessionPushes(sessionId).map((p) => {
      if (p.firstSentAt !== null) this.pushAt.set(p.pushId, p.firstSentAt);
      const channels = byPush.get(p.pushId) ?? [];
      // the push domain's definition (shared/push/lift.ts)
      const liftFigures = pushLift(this.metrics.newViewersPerMinute, sessionId, p.firstSentAt, now);
      if (liftFigures.open) this.liftPending = true;
      return {
        pushId: p.pushId,
        createdAt: p.createdAt,
        trigger: p.trigger,
        title: p.title,
        channels,
        sent: channels.filter((c) => c.status === 'sent').length,
        failed: channels.filter((c) => c.status === 'failed').length,
        unknown: channels.filter((c) => c.status === 'unknown').length,
        beforePerMin: liftFigures.beforePerMin,
        afterPerMin: liftFigures.afterPerMin,
        lift: liftFigures.lift,
      };
    });
  }

  private markers(sessionId: number, pushes: PushRow[], events: OutputEvent[]): ReviewMarker[] {
    const out: ReviewMarker[] = [];
    // a push is marked when it first reached a group (else when it was queued)
    for (const p of pushes)
      out.push({ ts: this.pushAt.get(p.pushId) ?? p.createdAt, kind: 'push', label: `推送：${p.title || '直播间链接'}` });
    for (const e of events) {
      const label = STREAM_LABELS[e.kind][e.state];
      if (label) out.push({ ts: e.ts, kind: e.kind, label });
    }
    for (const m of this.markerRows.all(sessionId)) out.push({ ts: m.ts, kind: m.kind, label: m.label });
    for (const a of this.deps.automation.sentPerMinute(sessionId))
      out.push({ ts: a.minute, kind: 'automation', label: automationLabel(a) });
    return out.sort((a, b) => a.ts - b.ts);
  }
}

/** "自动化：回复 3 · 上墙 1" for one minute of room automation */
function automationLabel(a: { reply: number; pin: number; message: number; explain: number }): string {
  const parts = [
    ['回复', a.reply],
    ['上墙', a.pin],
    ['发言', a.message],
    ['讲解', a.explain],
  ].filter(([, n]) => (n as number) > 0);
  return `自动化：${parts.map(([k, n]) => `${k} ${n}`).join(' · ')}`;
}

function sameRecordings(a: ReportRecording[], b: ReportRecording[]): boolean {
  return (
    a.length === b.length && a.every((r, i) => r.path === b[i]!.path && r.available === b[i]!.available && r.sizeBytes === b[i]!.sizeBytes)
  );
}

/** OBS output states worth a marker (starting/stopping are transient). */
const STREAM_LABELS: Record<'stream' | 'record', Record<string, string>> = {
  stream: { started: '开始推流', stopped: '停止推流', reconnecting: '推流断开，重连中', reconnected: '推流已重连' },
  record: { started: '开始录制', stopped: '停止录制', paused: '录制暂停', resumed: '录制继续' },
};

/** a delivery error may quote the robot's URL (its key is a secret): keep only the host */
function redact(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(/https?:\/\/([^/\s?#]+)[^\s]*/g, (_m, host: string) => `https://${host}/…`);
}

/** 'import' for a session brought in from a file (migration 0007), else the metrics source choice, else 'none'. */
export function sourceOf(imports: Pick<ImportsLog, 'isImported'>, metrics: Pick<MetricsApi, 'storedSource'>, sessionId: number): string {
  if (imports.isImported(sessionId)) return 'import';
  return metrics.storedSource(sessionId) ?? 'none';
}

/** One recording per output file; video time 0 is the record start event before (or at) its first mention. */
export function recordingsOf(events: readonly OutputEvent[], dataDir?: string): ReportRecording[] {
  const out: ReportRecording[] = [];
  const seen = new Set<string>();
  let lastStart: number | null = null;
  for (const e of events) {
    if (e.kind !== 'record') continue;
    if (e.active && e.state === 'started') lastStart = e.ts;
    if (!e.outputPath || seen.has(e.outputPath)) continue;
    seen.add(e.outputPath);
    // moved or deleted since, or not a real video file (recording.ts videoFile): listed, not available, no size
    const v = videoFile(e.outputPath, dataDir);
    out.push({ path: e.outputPath, startedAt: lastStart ?? e.ts, available: v !== null, sizeBytes: v?.size ?? null });
  }
  return out;
}

// ── summary ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The steepest 60-s fall of the per-second online series: the largest drop in viewers (then − now), earliest first. */
export function worstDrop(online: readonly [number, number][]): ReportSummary['worstDrop'] {
  let best: ReportSummary['worstDrop'] = null;
  let j = 0;
  for (let i = 0; i < online.length; i++) {
    const [t, v] = online[i]!;
    // the reading 60 s earlier (or the latest one before that point)
    while (j + 1 < i && online[j + 1]![0] <= t - MINUTE) j++;
    const [tj, vj] = online[j]!;
    if (tj > t - MINUTE || t - tj > 2 * MINUTE) continue;
    const fall = vj - v;
    if (fall > 0 && (!best || fall > best.from - best.to)) best = { at: tj, from: vj, to: v, pct: fall / vj };
  }
  return best;
}

function summarize(input: {
  session: SessionSummary;
  overall: Figures;
  now: number;
  online: [number, number][];
  products: ProductRow[];
  pushes: PushRow[];
}): ReportSummary {
  const { session, overall: f, online, products, pushes } = input;
  const durationMs = session.startedAt === null ? null : (session.endedAt ?? input.now) - session.startedAt;
  // the first second the series reached its maximum
  const max = online.reduce((m, p) => Math.max(m, p[1]), 0);
  const peakAt = online.find((p) => p[1] === max)?.[0] ?? null;
  const peak = Math.max(f.peakOnline, max);
  const best = products.find((p) => p.rank === 'best');
  const worst = products.find((p) => p.rank === 'worst');
  const pick = (p: ProductRow | undefined) =>
    p ? { productId: p.productId, title: p.title, gmvPerPinnedMinute: p.gmvPerPinnedMinute! } : null;
  const summary: ReportSummary = {
    durationMs,
    peakOnline: peak,
    peakAt,
    viewersUv: f.viewersUv,
    viewsPv: f.viewsPv,
    averageDwellSeconds: f.averageDwell.seconds,
    dwellMethod: f.averageDwell.method,
    gmv: f.gmv,
    orders: f.orders,
    gpm: f.gpm.value,
    productCtr: f.productCtr,
    clickToPay: f.clickToPay,
    viewerConversion: f.viewerConversion,
    uvValue: f.uvValue,
    averageOrderValue: f.averageOrderValue,
    best: pick(best),
    worst: pick(worst),
    worstDrop: worstDrop(online),
    pushes: pushes.length,
    lines: [],
  };
  summary.lines = summaryLines(summary, {
    provisional: session.status !== 'ended',
    started: session.startedAt !== null,
    pinnedCount: products.filter((p) => p.timesPinned > 0).length,
    dwellEstimate: f.averageDwell.estimate,
    lifts: pushes.map((p) => p.lift).filter((l): l is number => l !== null),
  });
  return summary;
}

// ── the host's summary lines ────────────────────────────────────────────────────────────────────────────────────────

/** 1234567 → "1 234 567" (a space every three digits, as the example sentence reads) */
export function groupDigits(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** 1234500 fen → "¥12 345.00" (integer arithmetic: fen never pass through a float) */
export function money(fen: number): string {
  const f = Math.round(fen);
  return `¥${groupDigits(Math.trunc(f / 100))}.${String(Math.abs(f % 100)).padStart(2, '0')}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** 7_500_000 ms → "2 小时 05 分"; under an hour "12 分 30 秒" */
export function durationText(ms: number): string {
  const totalSec = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  if (h > 0) return `${h} 小时 ${String(m).padStart(2, '0')} 分`;
  return `${m} 分 ${String(s).padStart(2, '0')} 秒`;
}

const clock = (ts: number) => {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

export function summaryLines(
  s: ReportSummary,
  ctx: { provisional: boolean; started: boolean; pinnedCount: number; dwellEstimate: boolean; lifts: number[] },
): string[] {
  const lines: string[] = [];
  if (!ctx.started) lines.push('本场尚未开播，暂无数据');
  else {
    const conv = s.viewerConversion !== null ? `，转化率 ${pct(s.viewerConversion)}` : '';
    lines.push(`本场 ${durationText(s.durationMs ?? 0)}，峰值在线 ${groupDigits(s.peakOnline)} 人，成交 ${money(s.gmv)}${conv}`);
  }
  const dwell =
    s.averageDwellSeconds !== null ? `，人均停留${ctx.dwellEstimate ? '约' : ''} ${durationText(s.averageDwellSeconds * 1000)}` : '';
  const aov = s.averageOrderValue !== null ? `，客单价 ${money(s.averageOrderValue)}` : '';
  lines.push(`累计观看 ${groupDigits(s.viewersUv)} 人，共 ${groupDigits(s.orders)} 单${aov}${dwell}`);
  if (s.best && s.worst) {
    lines.push(
      `讲解 ${ctx.pinnedCount} 款，每分钟成交最高：${s.best.title}（${money(s.best.gmvPerPinnedMinute)}），最低：${s.worst.title}（${money(s.worst.gmvPerPinnedMinute)}）`,
    );
  } else lines.push(ctx.pinnedCount > 0 ? `讲解 ${ctx.pinnedCount} 款商品` : '本场未上架讲解商品');
  if (s.worstDrop) {
    const d = s.worstDrop;
    lines.push(`在线跌幅最大在 ${clock(d.at)}，60 秒内从 ${groupDigits(d.from)} 人降到 ${groupDigits(d.to)} 人（-${pct(d.pct)}）`);
  }
  if (s.pushes === 0) lines.push('本场未推送社群');
  else if (ctx.lifts.length) {
    const mean = ctx.lifts.reduce((a, b) => a + b, 0) / ctx.lifts.length;
    lines.push(`推送 ${s.pushes} 次，推送后 5 分钟每分钟新增观众平均 ${mean >= 0 ? '+' : ''}${mean.toFixed(1)} 人`);
  } else lines.push(`推送 ${s.pushes} 次`);
  if (ctx.provisional && ctx.started) lines.push('直播仍在进行，以上为实时数据');
  return lines;
}
