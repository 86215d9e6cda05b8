// Review screen state (复盘): the sessions list, one report, the replay clock, a comparison. The report arrives in one
// fetch and replay runs from it with frameAt() alone; report, frames and chart data are $state.raw (never deep proxies).
import type { CompareSide, ReplayFrame, ReviewSessionRow, SessionReport } from '../../../shared/protocol/review.ts';
import { frameAt, lastAtOrBefore, replayRange, segmentAt } from '../../../shared/review/replay.ts';
import { toCsv, type Cell } from '../../../shared/csv-export.ts';
import { getDesk, type Desk } from './desk.svelte.ts';
import { dateTime, duration, hhmmss } from './format.ts';
import { num, pct, yuan } from './metrics.svelte.ts';

export const SPEEDS = [1, 2, 5, 10, 30, 60] as const;
export type StatusFilter = 'all' | 'draft' | 'live' | 'ended';

export class Review {
  sessions = $state.raw<ReviewSessionRow[]>([]);
  q = $state('');
  status = $state<StatusFilter>('all');
  /** session ids ticked for compare, oldest tick first (at most two) */
  picked = $state.raw<number[]>([]);
  listLoading = $state(false);

  report = $state.raw<SessionReport | null>(null);
  reportError = $state<string | null>(null);
  comparison = $state.raw<{ a: CompareSide; b: CompareSide } | null>(null);

  // replay clock: `at` is the replayed epoch ms; `seekSeq` counts discrete jumps so the video re-seeks only then
  at = $state(0);
  playing = $state(false);
  speed = $state<number>(1);
  seekSeq = $state(0);
  range = $derived(this.report ? replayRange(this.report) : { start: 0, end: 0 });
  frame = $derived<ReplayFrame | null>(this.report ? frameAt(this.report, this.at) : null);

  private raf = 0;
  private lastTick = 0;
  private listSeq = 0;
  private reportFor: number | null = null;

  private readonly desk: Desk;
  constructor(desk: Desk) {
    this.desk = desk;
  }

  async loadSessions(): Promise<void> {
    const seq = ++this.listSeq;
    this.listLoading = true;
    try {
      const q = this.q.trim();
      const rows = await this.desk.run('review.sessions', { ...(q ? { q } : {}), status: this.status });
      if (seq === this.listSeq) this.sessions = rows;
    } finally {
      if (seq === this.listSeq) this.listLoading = false;
    }
  }

  togglePick(id: number): void {
    this.picked = this.picked.includes(id) ? this.picked.filter((x) => x !== id) : [...this.picked, id].slice(-2);
  }

  async openReport(sessionId: number, fresh = false): Promise<void> {
    if (!fresh && this.reportFor === sessionId && this.report) return;
    this.pause();
    this.reportFor = sessionId;
    if (!fresh) this.report = null;
    this.reportError = null;
    try {
      const report = await this.desk.api.invoke('review.report', { sessionId });
      if (this.reportFor !== sessionId) return;
      const keep = fresh && this.report?.session.id === sessionId ? this.at : null;
      this.report = report;
      // a refresh keeps the replay where it was; a new report starts at the beginning
      this.at = keep ?? replayRange(report).start;
      this.seekSeq++;
    } catch (error) {
      if (this.reportFor === sessionId) this.reportError = (error as Error).message;
    }
  }

  /** forget the open report, so coming back fetches fresh figures */
  closeReport(): void {
    this.pause();
    this.reportFor = null;
    this.report = null;
  }

  async loadCompare(a: number, b: number): Promise<void> {
    this.comparison = null;
    this.comparison = await this.desk.run('review.compare', { a, b });
  }

  // ── replay ──
  seek(at: number): void {
    const { start, end } = this.range;
    this.at = Math.round(Math.min(end, Math.max(start, at)));
    this.seekSeq++;
  }
  step(deltaMs: number): void {
    this.seek(this.at + deltaMs);
  }
  setSpeed(speed: number): void {
    this.speed = speed;
  }
  /** '[' / ']': one step down or up the speed ladder */
  shiftSpeed(dir: -1 | 1): void {
    const i = SPEEDS.indexOf(this.speed as (typeof SPEEDS)[number]);
    this.speed = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? 0 : i) + dir))]!;
  }
  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }
  play(): void {
    if (!this.report || this.playing) return;
    // playing from the end starts over, as a video player does
    if (this.at >= this.range.end) this.seek(this.range.start);
    this.playing = true;
    this.lastTick = performance.now();
    const loop = (now: number) => {
      if (!this.playing) return;
      const dt = Math.min(250, now - this.lastTick); // a background tab must not leap on return
      this.lastTick = now;
      const next = this.at + dt * this.speed;
      if (next >= this.range.end) {
        this.at = this.range.end;
        this.pause();
        return;
      }
      this.at = next;
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
  }
  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
  }
}

export const createReview = (desk: Desk): Review => new Review(desk);
/** this desk's review store (call during component initialisation) */
export const getReview = (): Review => getDesk().store(createReview);

// ── formatting shared by the review components ──

export { dateTime, duration, hhmmss };

/** What a chart tooltip adds under the hovered point: that minute's figures and what was pinned then. */
export function describeMoment(report: SessionReport, at: number, labels: { newPerMin: string; orders: string; conversion: string; pinned: string }): string[] {
  const lines: string[] = [];
  const i = lastAtOrBefore(report.timeline, at, (m) => m.t);
  const m = i >= 0 && at - report.timeline[i]!.t < 60_000 ? report.timeline[i]! : null;
  if (m) lines.push(`${labels.newPerMin} ${num(m.newViewers)} · GMV ${yuan(m.gmv)} · ${labels.orders} ${num(m.orders)} · ${labels.conversion} ${pct(m.conversion, 2)}`);
  const seg = segmentAt(report.segments, at);
  lines.push(`${labels.pinned}: ${seg ? seg.title : '—'}`);
  for (const k of report.markers) if (Math.abs(k.ts - at) < 30_000) lines.push(`▸ ${hhmmss(k.ts)} ${k.label}`);
  return lines;
}

// ── exports built in the renderer ──

const yuanCell = (fen: number | null): Cell => (fen === null ? null : fen / 100);
const ratio = (v: number | null): Cell => (v === null ? null : Math.round(v * 10_000) / 10_000);

export function productsCsv(report: SessionReport): string {
  const header = ['商品 Product', '置顶次数 Times pinned', '置顶分钟 Pinned min', '计划分钟 Planned min', '曝光UV Exposure UV', '点击UV Click UV', '支付UV Pay UV', '订单 Orders', 'GMV (元)', '每置顶分钟GMV (元) GMV/pinned min', '置顶时点击率 CTR during', '其他时段点击率 CTR outside', '置顶时成交率 Click-to-pay during', '其他时段成交率 Click-to-pay outside', '排名 Rank'];
  const rows = report.products.map((p): Cell[] => [
    p.title,
    p.timesPinned,
    Math.round(p.pinnedMs / 600) / 100,
    p.plannedMinutes,
    p.exposureUv,
    p.clickUv,
    p.payUv,
    p.orders,
    yuanCell(p.gmv),
    yuanCell(p.gmvPerPinnedMinute === null ? null : Math.round(p.gmvPerPinnedMinute)),
    ratio(p.ctrDuring),
    ratio(p.ctrOutside),
    ratio(p.conversionDuring),
    ratio(p.conversionOutside),
    p.rank === 'best' ? '最佳 best' : p.rank === 'worst' ? '最差 worst' : '',
  ]);
  return toCsv(header, rows);
}

export function timelineCsv(report: SessionReport): string {
  const header = ['分钟 Minute', '平均在线 Online avg', '最高在线 Online max', '新增观众 New viewers', 'GMV (元)', '订单 Orders', '观众转化率 Conversion', '累计观众 UV cum', '累计GMV (元) GMV cum', '评论 Comments', '码率 kbps', '丢帧率 Dropped', '置顶商品 Pinned'];
  const rows = report.timeline.map((m): Cell[] => [
    dateTime(m.t),
    m.onlineAvg === null ? null : Math.round(m.onlineAvg),
    m.onlineMax,
    m.newViewers,
    yuanCell(m.gmv),
    m.orders,
    ratio(m.conversion),
    m.uvCum,
    yuanCell(m.gmvCum),
    m.comments,
    m.bitrateKbps === null ? null : Math.round(m.bitrateKbps),
    ratio(m.droppedRatio),
    segmentAt(report.segments, m.t)?.title ?? '',
  ]);
  return toCsv(header, rows);
}

/** a title made safe for a file name on Windows and macOS */
export const fileTitle = (title: string): string => title.replace(/[\\/:*?"<>|\r\n\t]+/g, '_').trim().slice(0, 80) || 'session';

/** saves href (a blob or data URL) under a file name, as the browser's own download */
function clickDownload(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

export function download(name: string, data: Blob | string, type = 'text/csv;charset=utf-8'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  clickDownload(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadDataUrl(name: string, dataUrl: string): void {
  clickDownload(dataUrl, name);
}

/** file bytes → base64 in slices (String.fromCharCode(...all) overflows the stack on a big XLSX) */
export async function fileBase64(file: File, onProgress?: (fraction: number) => void): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
    if (onProgress && (i / step) % 64 === 0) {
      onProgress(i / bytes.length);
      await new Promise((r) => setTimeout(r, 0)); // let the progress bar paint
    }
  }
  onProgress?.(1);
  return btoa(binary);
}
