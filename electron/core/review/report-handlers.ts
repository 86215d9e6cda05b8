// review.sessions / review.report / review.replay / review.compare and their HTTP routes.
import { ratio } from '../../../shared/metrics/formulas.ts';
import type { CompareSide, ReviewSessionRow, SessionReport } from '../../../shared/protocol/review.ts';
import { frameAt } from '../../../shared/review/replay.ts';
import type { Core } from '../core.ts';
import type { SessionFilter } from '../lineup-api.ts';
import { idParam, queryNumber } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import { ImportsLog } from './imports-log.ts';
import { MarkerRecorder } from './markers.ts';
import type { ReviewDeps } from './module.ts';
import { ReportBuilder } from './report.ts';

const MINUTE = 60_000;

/**
 * The sessions the filter selects (the lineup API, filtered in SQL) with their figures (the metrics API's running
 * totals, migration 0171: one query for the whole list) and whether each came from a file.
 */
function listSessions(core: Core, deps: ReviewDeps, imports: ImportsLog, filter: SessionFilter): ReviewSessionRow[] {
  const sessions = deps.lineup.findSessions(filter);
  const totals = deps.metrics.sessionTotals(sessions.map((s) => s.id));
  const imported = imports.importedIds();
  const now = core.now();
  return sessions.map((s) => {
    const m = totals.get(s.id);
    // the dashboard's definitions (shared/metrics/formulas.ts): viewers from UV else joins, payers from the funnel else
    // orders, GMV from orders else the funnel
    const orders = m?.orders ?? 0;
    const viewers = m?.hasViewersUv ? m.viewersUvCumulative : (m?.joins ?? 0);
    const pay = m?.payUvCumulative ?? 0;
    const payers = pay > 0 || (m?.exposureUvCumulative ?? 0) > 0 ? pay : orders;
    const { id, title, status, plannedStart, startedAt, endedAt } = s;
    return {
      id,
      title,
      status,
      plannedStart,
      startedAt,
      endedAt,
      durationMs: startedAt === null ? null : (endedAt ?? (status === 'live' ? now : startedAt)) - startedAt,
      peakOnline: m?.onlineMax ?? 0,
      viewersUv: viewers,
      gmv: orders > 0 ? (m?.gmv ?? 0) : (m?.readingsGmvCumulative ?? 0),
      orders,
      viewerConversion: ratio(payers, viewers),
      source: imported.has(s.id) ? 'import' : (m?.source ?? 'none'),
      rehearsal: m?.rehearsal ?? false,
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
  return {
    sessionId: report.session.id,
    title: report.session.title,
    startedAt: report.session.startedAt,
    rehearsal: report.session.rehearsal,
    summary: report.summary,
    minutes,
  };
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

export function attachReport(core: Core, deps: ReviewDeps): void {
  const builder = new ReportBuilder(core, deps);
  const markers = new MarkerRecorder(core, deps.lineup);
  const imports = new ImportsLog(core.db);
  services.set(core, { builder, markers });
  markers.attach((sessionId) => builder.invalidate(sessionId));
  core.subscribe((event) => {
    if (event.type === 'review.imported') builder.invalidate(event.sessionId);
  });

  core.handle('review.sessions', (input) => listSessions(core, deps, imports, input));
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
  server.route('GET', '/api/v1/sessions/:id/replay', (c) =>
    core.invoke('review.replay', { sessionId: idParam(c), at: queryNumber(c, 'at') }),
  );
}
