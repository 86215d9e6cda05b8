// One session's report (复盘): the per-second online curve and per-minute timeline from the rollups, segments, lineup,
// markers, the per-product table, pushes with their lift, recordings and the host's one-minute summary. Reads only the
// rollups plus a few indexed look-ups (segment boundaries, per-product order totals), never a replay of raw events.
// The metrics figures come through the metrics API (electron/core/metrics-api.ts), never its tables.
import { videoFile } from './recording.ts';
import { type Figures, ratio } from '../../../shared/metrics/formulas.ts';
import type { MetricsSnapshot } from '../../../shared/protocol/metrics.ts';
import type { DeliveryStatus, PushTrigger } from '../../../shared/protocol/push.ts';
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
import type { Db } from '../store/db.ts';

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

/** Statements prepared once per core. */
function statements(db: Db) {
  return {
    health: db.prepare<[number], { t: number; br: number | null; dr: number | null; st: number }>(
      `SELECT ts - ts % 60000 AS t, avg(bitrate_kbps) AS br, max(dropped_ratio) AS dr, max(streaming) AS st
       FROM stream_health WHERE session_id = ? GROUP BY 1 ORDER BY 1`,
    ),
    segments: db.prepare<[number], { id: number; product_id: number; lineup_item_id: number | null; started_at: number; ended_at: number | null; title: string }>(
      `SELECT g.id, g.product_id, g.lineup_item_id, g.started_at, g.ended_at, p.title FROM segments g JOIN products p ON p.id = g.product_id
       WHERE g.session_id = ? ORDER BY g.started_at, g.id`,
    ),
    lineup: db.prepare<[number], { id: number; product_id: number; position: number; planned_minutes: number; planned_seconds: number | null; title: string }>(
      `SELECT i.id, i.product_id, i.position, i.planned_minutes, i.planned_seconds, p.title FROM lineup_items i JOIN products p ON p.id = i.product_id
       WHERE i.session_id = ? ORDER BY i.position, i.id`,
    ),
    product: db.prepare<[number], { id: number; title: string; price: number; live_price: number | null }>(
      'SELECT id, title, price, live_price FROM products WHERE id = ?',
    ),
    productBySku: db.prepare<[string], { id: number }>('SELECT id FROM products WHERE sku = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1'),
    pushes: db.prepare<[number], { id: number; trigger: PushTrigger; title: string; created_at: number; first_sent: number | null }>(
      `SELECT p.id, p.trigger, p.title, p.created_at,
         (SELECT min(d.sent_at) FROM push_deliveries d WHERE d.push_id = p.id AND d.status = 'sent') AS first_sent
       FROM pushes p WHERE p.session_id = ? ORDER BY p.created_at, p.id`,
    ),
    deliveries: db.prepare<[number], { push_id: number; channel_id: number; status: DeliveryStatus; last_error: string | null; name: string; kind: string }>(
      `SELECT d.push_id, d.channel_id, d.status, d.last_error, c.name, c.kind FROM push_deliveries d
       JOIN pushes p ON p.id = d.push_id JOIN push_channels c ON c.id = d.channel_id
       WHERE p.session_id = ? AND d.part = 'message' ORDER BY d.push_id, d.channel_id`,
    ),
    streamEvents: db.prepare<[number], { ts: number; kind: 'stream' | 'record'; state: string; active: number; output_path: string | null }>(
      'SELECT ts, kind, state, active, output_path FROM stream_events WHERE session_id = ? ORDER BY ts, id',
    ),
    markers: db.prepare<[number], { ts: number; kind: 'scene' | 'alert'; label: string }>(
      'SELECT ts, kind, label FROM session_markers WHERE session_id = ? ORDER BY ts, id',
    ),
    // room automation (docs/automation.md): what was sent per minute, one marker per minute that had any
    automation: db.prepare<[number], { minute: number; reply: number; pin: number; message: number; explain: number }>(
      `SELECT (ts / 60000) * 60000 AS minute, total(kind = 'reply') AS reply, total(kind = 'pin') AS pin,
         total(kind = 'message') AS message, total(kind = 'explain') AS explain
       FROM automation_actions WHERE session_id = ? AND status = 'sent' AND kind != 'next' GROUP BY minute ORDER BY minute`,
    ),
    // what a cached report depends on that can still change after the session ended (deliveries, markers; metrics
    // through MetricsApi.changeMark)
    fingerprint: db.prepare<[{ s: number }], Record<string, number | null>>(
      `SELECT
         (SELECT count(*) || ':' || max(d.updated_at) FROM push_deliveries d JOIN pushes q ON q.id = d.push_id WHERE q.session_id = @s) AS d,
         (SELECT count(*) || ':' || max(id) FROM session_markers WHERE session_id = @s) AS k,
         (SELECT count(*) || ':' || max(id) FROM stream_events WHERE session_id = @s) AS e,
         (SELECT count(*) || ':' || max(id) FROM automation_actions WHERE session_id = @s) AS a`,
    ),
  };
}

export class ReportBuilder {
  private readonly core: Core;
  private readonly sql: ReturnType<typeof statements>;
  private readonly metrics: MetricsApi;
  private readonly cache = new Map<number, { fingerprint: string; report: SessionReport }>();
  /** first delivery time per push of the report being built (its marker time) */
  private readonly pushAt = new Map<number, number>();
  /** set while building when a push's lift window is still open */
  private liftPending = false;

  constructor(core: Core, metrics: MetricsApi) {
    this.core = core;
    this.sql = statements(core.db);
    this.metrics = metrics;
  }

  /** Drops a session's cached report (after an import replaced its rows). */
  invalidate(sessionId: number): void {
    this.cache.delete(sessionId);
  }

  /** The report; an ended session's is computed once and served from memory while its data stays the same. */
  async report(sessionId: number): Promise<SessionReport> {
    const session = this.core.sessions.summary(sessionId);
    const ended = session.status === 'ended';
    const fingerprint = ended ? this.fingerprint(sessionId) : '';
    const hit = this.cache.get(sessionId);
    // a recording moved or deleted since also counts as a change (cheap: a few rows and stat calls)
    if (ended && hit && hit.fingerprint === fingerprint && sameRecordings(hit.report.recordings, recordingsOf(this.sql.streamEvents.all(sessionId), this.core.dataDir))) {
      return hit.report;
    }
    this.liftPending = false;
    const report = await this.build(session);
    // a push whose "after" window has not passed yet gets its lift later: such a report is not kept
    if (ended && !this.liftPending) this.cache.set(sessionId, { fingerprint, report });
    else this.cache.delete(sessionId);
    return report;
  }

  private fingerprint(sessionId: number): string {
    const r = this.sql.fingerprint.get({ s: sessionId })!;
    return `${this.metrics.changeMark(sessionId)}|${r.d}|${r.k}|${r.e}|${r.a}`;
  }

  private async build(session: SessionSummary): Promise<SessionReport> {
    const started = performance.now();
    const id = session.id;
    // the live dashboard's figures are the overall numbers: a live session's straight from its snapshot; an ended
    // session's from the same formulas over its rollups (what the snapshot computes after a rebuild, without the rebuild)
    const overall = session.status === 'ended' ? this.metrics.endedSessionFigures(session) : ((await this.core.call('metrics.snapshot', { sessionId: id })) as MetricsSnapshot).session;
    const now = this.core.now();

    const online = this.metrics.onlineSeries(id);
    const timeline = this.timeline(id);
    const segments: ReviewSegment[] = this.sql.segments.all(id).map((s) => ({
      segmentId: s.id,
      productId: s.product_id,
      lineupItemId: s.lineup_item_id,
      title: s.title,
      startedAt: s.started_at,
      endedAt: s.ended_at,
    }));
    const lineup = this.sql.lineup.all(id).map((l) => ({ itemId: l.id, productId: l.product_id, position: l.position, plannedMinutes: l.planned_seconds !== null ? l.planned_seconds / 60 : l.planned_minutes, title: l.title }));
    const products = this.products(id, segments, lineup, session.endedAt ?? now, overall.orders > 0);
    const pushes = this.pushes(id, now);
    const streamEvents = this.sql.streamEvents.all(id);
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
        source: sourceOf(this.core.db, this.metrics, id),
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
    const health = new Map(this.sql.health.all(sessionId).map((h) => [h.t, h]));
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
        bitrateKbps: h?.br ?? null,
        droppedRatio: h?.dr ?? null,
        streaming: h ? h.st === 1 : null,
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
  ): ProductRow[] {
    const totals = new Map<number, Funnel>();
    for (const f of this.metrics.productFunnels(sessionId)) {
      if (!/^\d{1,15}$/.test(f.productKey)) continue;
      totals.set(Number(f.productKey), funnelOf(f.funnel));
    }
    // orders name products by LiveCue id (as text), or only by SKU: those are matched to the catalog's SKU
    const sold = new Map<number, { orders: number; gmv: number }>();
    for (const o of this.metrics.productOrders(sessionId)) {
      const pid =
        o.productKey !== '' ? (/^\d{1,15}$/.test(o.productKey) ? Number(o.productKey) : null) : (this.sql.productBySku.get(o.sku)?.id ?? null);
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

    const ids = [...pinned.keys(), ...[...sold.keys()].filter((k) => !pinned.has(k)).sort((x, y) => (sold.get(y)!.gmv - sold.get(x)!.gmv) || x - y)];
    const rows: ProductRow[] = [];
    for (const pid of ids) {
      const info = this.sql.product.get(pid);
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
        livePrice: info.live_price,
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
    for (const d of this.sql.deliveries.all(sessionId)) {
      const list = byPush.get(d.push_id) ?? [];
      list.push({ channelId: d.channel_id, name: d.name, kind: d.kind, status: d.status, lastError: redact(d.last_error) });
      byPush.set(d.push_id, list);
    }
    this.pushAt.clear();
    return this.sql.pushes.all(sessionId).map((p) => {
      if (p.first_sent !== null) this.pushAt.set(p.id, p.first_sent);
      const channels = byPush.get(p.id) ?? [];
      // the push domain's definition (shared/push/lift.ts)
      const liftFigures = pushLift(this.metrics.newViewersPerMinute, sessionId, p.first_sent, now);
      if (liftFigures.open) this.liftPending = true;
      return {
        pushId: p.id,
        createdAt: p.created_at,
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

  private markers(sessionId: number, pushes: PushRow[], events: ReturnType<ReturnType<typeof statements>['streamEvents']['all']>): ReviewMarker[] {
    const out: ReviewMarker[] = [];
    // a push is marked when it first reached a group (else when it was queued)
    for (const p of pushes) out.push({ ts: this.pushAt.get(p.pushId) ?? p.createdAt, kind: 'push', label: `推送：${p.title || '直播间链接'}` });
    for (const e of events) {
      const label = STREAM_LABELS[e.kind][e.state];
      if (label) out.push({ ts: e.ts, kind: e.kind, label });
    }
    for (const m of this.sql.markers.all(sessionId)) out.push({ ts: m.ts, kind: m.kind, label: m.label });
    for (const a of this.sql.automation.all(sessionId)) out.push({ ts: a.minute, kind: 'automation', label: automationLabel(a) });
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
  return a.length === b.length && a.every((r, i) => r.path === b[i]!.path && r.available === b[i]!.available && r.sizeBytes === b[i]!.sizeBytes);
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
export function sourceOf(db: Db, metrics: Pick<MetricsApi, 'storedSource'>, sessionId: number): string {
  if (db.prepare('SELECT 1 FROM session_imports WHERE session_id = ? LIMIT 1').get(sessionId)) return 'import';
  return metrics.storedSource(sessionId) ?? 'none';
}

/** One recording per output file; video time 0 is the record start event before (or at) its first mention. */
export function recordingsOf(events: { ts: number; kind: string; state: string; active: number; output_path: string | null }[], dataDir?: string): ReportRecording[] {
  const out: ReportRecording[] = [];
  const seen = new Set<string>();
  let lastStart: number | null = null;
  for (const e of events) {
    if (e.kind !== 'record') continue;
    if (e.active === 1 && e.state === 'started') lastStart = e.ts;
    if (!e.output_path || seen.has(e.output_path)) continue;
    seen.add(e.output_path);
    // moved or deleted since, or not a real video file (recording.ts videoFile): listed, not available, no size
    const v = videoFile(e.output_path, dataDir);
    out.push({ path: e.output_path, startedAt: lastStart ?? e.ts, available: v !== null, sizeBytes: v?.size ?? null });
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
  const pick = (p: ProductRow | undefined) => (p ? { productId: p.productId, title: p.title, gmvPerPinnedMinute: p.gmvPerPinnedMinute! } : null);
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
    lines.push(`讲解 ${ctx.pinnedCount} 款，每分钟成交最高：${s.best.title}（${money(s.best.gmvPerPinnedMinute)}），最低：${s.worst.title}（${money(s.worst.gmvPerPinnedMinute)}）`);
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
