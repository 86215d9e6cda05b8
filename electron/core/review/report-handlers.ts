// review.sessions / review.report / review.replay / review.compare and their HTTP routes.
import { ratio } from '../../../shared/metrics/formulas.ts';
import type { CompareSide, ReviewSessionRow, SessionReport } from '../../../shared/protocol/review.ts';
import { frameAt } from '../../../shared/review/replay.ts';
import type { SessionStatus } from '../../../shared/domain.ts';
import type { Core } from '../core.ts';
import type { MetricsApi } from '../metrics-api.ts';
import { idParam, queryNumber } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import { MarkerRecorder } from './markers.ts';
import { ReportBuilder } from './report.ts';

const MINUTE = 60_000;

interface ListRow {
  id: number;
  title: string;
  status: SessionStatus;
  planned_start: number | null;
  started_at: number | null;
  ended_at: number | null;
  peak: number | null;
  uv: number | null;
  has_uv: number | null;
  joins: number | null;
  gmv: number | null;
  orders: number | null;
  rgmv: number | null;
  pay: number | null;
  exp: number | null;
  source: string | null;
  rehearsal: number;
  imported: number;
}

/** One query over the per-session totals (migration 0171: the per-minute rollups summed as they are written), filtered in SQL. */
function listSessions(core: Core, metrics: MetricsApi, input: { q?: string; status?: 'all' | SessionStatus; from?: number; to?: number }): ReviewSessionRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (input.q) {
    where.push("s.title LIKE @q ESCAPE '\\'");
    params.q = `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (input.status && input.status !== 'all') {
    where.push('s.status = @status');
    params.status = input.status;
  }
  if (input.from !== undefined) {
    where.push('s.started_at >= @from');
    params.from = input.from;
  }
  if (input.to !== undefined) {
    where.push('s.started_at <= @to');
    params.to = input.to;
  }
  const imported = 'EXISTS (SELECT 1 FROM session_imports i WHERE i.session_id = s.id)';
  const sql = `
    SELECT s.id, s.title, s.status, s.planned_start, s.started_at, s.ended_at,
      m.peak, m.uv, m.has_uv, m.joins, m.gmv, m.orders, m.rgmv, m.pay, m.exp, src.source, ${imported} AS imported, ${metrics.ranOnSimulatorSql} AS rehearsal
    FROM sessions s
    LEFT JOIN (
      SELECT session_id, online_max AS peak, uv_cum AS uv, has_uv, joins, gmv, orders, rgmv_cum AS rgmv, pay_cum AS pay, exp_cum AS exp
      FROM metric_session_totals
    ) m ON m.session_id = s.id
    LEFT JOIN metric_sources src ON src.session_id = s.id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY coalesce(s.started_at, s.planned_start, s.created_at) DESC, s.id DESC`;
  const now = core.now();
  return (core.db.prepare(sql).all(params) as ListRow[]).map((r) => {
    // the dashboard's definitions (shared/metrics/formulas.ts): viewers from UV else joins, payers from the funnel else
    // orders, GMV from orders else the funnel
    const orders = r.orders ?? 0;
    const viewers = r.has_uv ? (r.uv ?? 0) : (r.joins ?? 0);
    const payers = (r.pay ?? 0) > 0 || (r.exp ?? 0) > 0 ? (r.pay ?? 0) : orders;
    return {
      id: r.id,
      title: r.title,
      status: r.status,
      plannedStart: r.planned_start,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      durationMs: r.started_at === null ? null : (r.ended_at ?? (r.status === 'live' ? now : r.started_at)) - r.started_at,
      peakOnline: r.peak ?? 0,
      viewersUv: viewers,
      gmv: orders > 0 ? (r.gmv ?? 0) : (r.rgmv ?? 0),
      orders,
      viewerConversion: ratio(payers, viewers),
      source: r.imported ? 'import' : (r.source ?? 'none'),
      rehearsal: r.rehearsal === 1,
    };
  });
}

/** One side of a comparison: minute 0 is the clock minute the session started in; gaps are filled so both align. */
export function compareSide(report: SessionReport): CompareSide {
  const first = report.timeline[0]?.t ?? null;
  const start = report.session.startedAt ?? first;
  const base = start === null ? 0 : start - (start % MINUTE);
  const minutes: CompareSide['minutes'] = [];
  let gmvCum = 0;
  let conversion: number | null = null;
  for (const m of report.timeline) {
    const i = Math.round((m.t - base) / MINUTE);
    if (i < 0) continue;
    // minutes without rows carry the running totals forward
    while (minutes.length < i) minutes.push({ m: minutes.length, online: null, newViewers: 0, gmv: 0, gmvCum, conversion });
    gmvCum = m.gmvCum;
    conversion = m.conversion;
    minutes.push({ m: i, online: m.onlineAvg, newViewers: m.newViewers, gmv: m.gmv, gmvCum, conversion });
  }
  return { sessionId: report.session.id, title: report.session.title, startedAt: report.session.startedAt, rehearsal: report.session.rehearsal, summary: report.summary, minutes };
}

export interface ReportService {
  builder: ReportBuilder;
  markers: MarkerRecorder;
}

const services = new WeakMap<Core, ReportService>();

/** The core's report service (tests and the benchmark reach the builder through it). */
export function reportService(core: Core): ReportService | undefined {
  return services.get(core);
}

export function attachReport(core: Core, metrics: MetricsApi): void {
  const builder = new ReportBuilder(core, metrics);
  const markers = new MarkerRecorder(core);
  services.set(core, { builder, markers });
  markers.attach((sessionId) => builder.invalidate(sessionId));
  core.subscribe((event) => {
    if (event.type === 'review.imported') builder.invalidate(event.sessionId);
  });

  core.handle('review.sessions', (input) => listSessions(core, metrics, input));
  core.handle('review.report', ({ sessionId }) => builder.report(sessionId));
  core.handle('review.replay', async ({ sessionId, at }) => frameAt(await builder.report(sessionId), at));
  core.handle('review.compare', async ({ a, b }) => {
    const [ra, rb] = await Promise.all([builder.report(a), builder.report(b)]);
    return { a: compareSide(ra), b: compareSide(rb) };
  });
}

export function reportRoutes(server: CoreServer): void {
  const core = server.core;
  server.route('GET', '/api/v1/review/sessions', (c) => {
    const q = c.url.searchParams;
    return core.invoke('review.sessions', {
      q: q.get('q') || undefined,
      status: q.get('status') || undefined,
      from: queryNumber(c, 'from'),
      to: queryNumber(c, 'to'),
    });
  });
  server.route('GET', '/api/v1/review/compare', (c) => core.invoke('review.compare', { a: queryNumber(c, 'a'), b: queryNumber(c, 'b') }));
  server.route('GET', '/api/v1/sessions/:id/report', (c) => core.invoke('review.report', { sessionId: idParam(c) }));
  server.route('GET', '/api/v1/sessions/:id/replay', (c) => core.invoke('review.replay', { sessionId: idParam(c), at: queryNumber(c, 'at') }));
}
