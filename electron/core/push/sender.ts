// Delivers the outbox. One request at a time per robot, each robot behind its own rate limiter, transient failures
// retried with full-jitter backoff, permanent ones stopped with the platform's reason. The row is committed as
// 'sending' before the request leaves, so a crash at any point can never lead to an automatic second send.
import http from 'node:http';
import https from 'node:https';
import type { ChannelKind } from '../../../shared/protocol/push.ts';
import type { DeliveryRow, PushRepo } from './outbox.ts';
import type { Outcome, RateLimit, SignedRequest } from './platform.ts';
import { redactSecrets, secretParts } from './platform.ts';
import { checkChannelUrl, platforms } from './platforms.ts';

export interface SenderOptions {
  /** wall clock (signatures carry it, so it must be real outside tests) */
  now?: () => number;
  /** multiplies rate-limit windows and backoff delays: tests run a minute of rate limiting in a few seconds */
  timeScale?: number;
  /** no answer this long after the request went out → 'unknown' */
  timeoutMs?: number;
  maxAttempts?: number;
  random?: () => number;
  log?: (line: string) => void;
  onChange?: (deliveryId: number) => void;
  /** a robot was muted by its platform until `until` */
  onPause?: (channelId: number, until: number) => void;
}

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_RATE_LIMITED_BASE_MS = 5_000;
const BACKOFF_CAP_MS = 5 * 60_000;

/**
 * A token bucket per robot whose tokens come back exactly one window after they were spent (a sliding-window log).
 * A classic refilling bucket of 20 tokens at 20/min lets ~39 requests through in some 60 s span; the platforms count
 * requests per window, so only this form guarantees "never more than 20 in any 60 s". A margin covers the time a
 * request takes to reach the platform (the platform counts arrivals; we count departures).
 */
export class RateLimiter {
  private readonly spent = new Map<number, number[]>();
  private readonly scale: number;
  private readonly margin: number;

  constructor(scale = 1) {
    this.scale = scale;
    this.margin = Math.max(250, 1_000 * scale);
  }

  window(limit: RateLimit): number {
    return limit.windowMs * this.scale + this.margin;
  }

  record(channelId: number, at: number): void {
    const list = this.spent.get(channelId) ?? [];
    list.push(at);
    this.spent.set(channelId, list);
  }

  /** 0 when a request may leave now, else how long until one may */
  waitMs(channelId: number, limits: RateLimit[], now: number): number {
    const list = this.spent.get(channelId) ?? [];
    let wait = 0;
    let keepFrom = now;
    for (const limit of limits) {
      const w = this.window(limit);
      keepFrom = Math.min(keepFrom, now - w);
      const inWindow = list.filter((t) => t > now - w);
      if (inWindow.length >= limit.max) wait = Math.max(wait, inWindow[inWindow.length - limit.max]! + w - now);
    }
    this.spent.set(
      channelId,
      list.filter((t) => t > keepFrom),
    );
    return Math.max(0, Math.ceil(wait));
  }
}

export const LONGEST_WINDOW_MS = Math.max(...Object.values(platforms).flatMap((p) => p.limits.map((l) => l.windowMs)));

type PostResult = { status: number; raw: string } | { error: string; sent: boolean };

/** POST with a hard timeout; tells apart "never left" (safe to retry) from "left, no answer" (may have been delivered). */
export function post(request: SignedRequest, timeoutMs: number, track?: (abort: () => void) => () => void): Promise<PostResult> {
  const url = new URL(request.url);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let sent = false;
    let done = false;
    const finish = (r: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      untrack?.();
      resolve(r);
    };
    const req = mod.request(
      url,
      { method: 'POST', headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 64 * 1024) chunks.push(c);
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0, raw: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => finish({ error: e.message, sent: true }));
        res.on('aborted', () => finish({ error: 'connection closed mid-answer', sent: true }));
      },
    );
    req.on('finish', () => (sent = true));
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message, sent }));
    const timer = setTimeout(() => {
      finish({ error: `timeout ${timeoutMs} ms`, sent });
      req.destroy();
    }, timeoutMs);
    const untrack = track?.(() => {
      finish({ error: 'stopped', sent });
      req.destroy();
    });
    req.end(request.body);
  });
}

export class Sender {
  private readonly store: PushRepo;
  private readonly now: () => number;
  private readonly scale: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly random: () => number;
  private readonly log: (line: string) => void;
  private readonly onChange: (deliveryId: number) => void;
  private readonly onPause: (channelId: number, until: number) => void;
  readonly limiter: RateLimiter;
  private readonly busy = new Set<number>();
  /** robots the platform has muted (DingTalk: 10 minutes after 130101/410100): channel id → until (ms) */
  private readonly paused = new Map<number, number>();
  private readonly inflight = new Map<number, { promise: Promise<void>; abort: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = true;
  private closed = false;

  constructor(store: PushRepo, options: SenderOptions = {}) {
    this.store = store;
    this.now = options.now ?? Date.now;
    this.scale = options.timeScale ?? 1;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => {});
    this.onChange = options.onChange ?? (() => {});
    this.onPause = options.onPause ?? (() => {});
    this.limiter = new RateLimiter(this.scale);
  }

  /** Rows left 'sending' by a crash become 'unknown'; the rate limiter is rebuilt from the requests actually made. */
  start(): void {
    const now = this.now();
    for (const id of this.store.recoverSending(now)) this.onChange(id);
    const since = now - (LONGEST_WINDOW_MS * this.scale + this.limiter.window({ max: 0, windowMs: 0 }));
    for (const r of this.store.requestsSince(since)) this.limiter.record(r.channel_id, r.at);
    this.stopped = false;
    this.kick();
  }

  kick(): void {
    this.schedule(0);
  }

  async stop(graceMs = 3_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = [...this.inflight.values()].map((f) => f.promise);
    if (pending.length) await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, graceMs))]);
    // still waiting for an answer: the request is out, so these are 'unknown', never silently resent
    for (const [id, f] of this.inflight) {
      this.store.finish(id, 'unknown', '关闭时仍在等待应答，可能已送达 / LiveCue closed while waiting for the answer — may have been delivered', this.now());
      this.onChange(id);
      f.abort();
    }
    this.closed = true;
  }

  /** until when a robot is muted by its platform, or null (shown on the robot with a countdown) */
  pausedUntil(channelId: number): number | null {
    const until = this.paused.get(channelId);
    if (until === undefined) return null;
    if (until <= this.now()) {
      this.paused.delete(channelId);
      return null;
    }
    return until;
  }

  get idle(): boolean {
    return this.inflight.size === 0;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    const at = this.now() + delay;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, delay);
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.now();
    let wake = Infinity;
    const considered = new Set<number>();
    for (const row of this.store.due(now)) {
      if (this.busy.has(row.channel_id) || considered.has(row.channel_id)) continue;
      considered.add(row.channel_id);
      const until = this.pausedUntil(row.channel_id);
      if (until !== null) {
        wake = Math.min(wake, until - now);
        continue;
      }
      const wait = this.limiter.waitMs(row.channel_id, platforms[row.kind].limits, now);
      if (wait > 0) {
        wake = Math.min(wake, wait);
        continue;
      }
      this.dispatch(row, now);
    }
    const next = this.store.db
      .prepare<[number], { at: number | null }>("SELECT min(next_attempt_at) AS at FROM push_deliveries WHERE status IN ('queued', 'retrying') AND next_attempt_at > ?")
      .get(now)?.at;
    if (next != null) wake = Math.min(wake, next - now);
    if (wake < Infinity) this.schedule(Math.max(1, wake));
    this.store.pruneRequests(now - 10 * LONGEST_WINDOW_MS * Math.max(1, this.scale));
  }

  private dispatch(row: DeliveryRow, now: number): void {
    const channel = this.store.channelSecret(row.channel_id);
    if (!channel) return;
    const problem = checkChannelUrl(channel.kind, channel.url);
    if (!this.store.markSending(row.id, row.channel_id, now)) return;
    this.limiter.record(row.channel_id, now);
    this.onChange(row.id);
    if (problem) {
      this.complete(row, { kind: 'failed', error: problem });
      return;
    }
    this.busy.add(row.channel_id);
    let abort = () => {};
    const promise = this.deliver(row, channel.kind, channel.url, channel.secret, now, (a) => {
      abort = a;
      return () => {};
    })
      .catch((error: Error) => this.log(`push: delivery ${row.id} crashed: ${error.message}`))
      .finally(() => {
        this.inflight.delete(row.id);
        this.busy.delete(row.channel_id);
        this.kick();
      });
    this.inflight.set(row.id, { promise, abort: () => abort() });
  }

  private async deliver(row: DeliveryRow, kind: ChannelKind, url: string, secret: string | null, now: number, track: (abort: () => void) => () => void) {
    const platform = platforms[kind];
    const request = platform.sign(url, secret, JSON.parse(row.body) as Record<string, unknown>, { now, deliveryId: row.id });
    const result = await post(request, this.timeoutMs, track);
    if (this.closed) return;
    let outcome: Outcome;
    if ('error' in result) {
      outcome = result.sent
        ? { kind: 'unknown', error: `请求已发出但未收到应答，可能已送达 / no answer after the request went out (${result.error}) — may have been delivered` }
        : { kind: 'retry', error: `无法连接 / could not connect (${result.error})` };
    } else {
      let json: unknown = null;
      try {
        json = JSON.parse(result.raw);
      } catch {
        /* classified by the platform as unreadable */
      }
      outcome = platform.classify(result.status, json, result.raw);
    }
    // what a robot or the network says may carry the robot's key: never stored or logged as is
    if (outcome.kind !== 'sent') outcome = { ...outcome, error: redactSecrets(outcome.error, secretParts(url, secret)) };
    this.complete(row, outcome);
  }

  private complete(row: DeliveryRow, outcome: Outcome): void {
    if (this.closed) return;
    const now = this.now();
    const attempts = row.attempts + 1;
    if (outcome.kind === 'sent') this.store.finish(row.id, 'sent', null, now);
    else if (outcome.kind === 'retry' && outcome.pauseMs !== undefined && attempts < this.maxAttempts) {
      // the whole robot is muted: this message and every other one to it wait until the pause is over
      const until = now + Math.ceil(outcome.pauseMs * this.scale);
      this.paused.set(row.channel_id, until);
      this.store.finish(row.id, 'retrying', outcome.error, now, until);
      this.onPause(row.channel_id, until);
    } else if (outcome.kind === 'retry' && attempts < this.maxAttempts) {
      const base = outcome.rateLimited ? BACKOFF_RATE_LIMITED_BASE_MS : BACKOFF_BASE_MS;
      // full jitter: uniformly anywhere in [0, min(cap, base·2^(n−1))], so retries from many desks do not line up
      const delay = Math.floor(this.random() * Math.min(BACKOFF_CAP_MS, base * 2 ** (attempts - 1)) * this.scale);
      this.store.finish(row.id, 'retrying', outcome.error, now, now + delay);
    } else if (outcome.kind === 'retry') {
      this.store.finish(row.id, 'failed', `重试 ${attempts} 次仍失败 / gave up after ${attempts} attempts: ${outcome.error}`, now);
    } else this.store.finish(row.id, outcome.kind, outcome.error, now);
    if (outcome.kind !== 'sent') this.log(`push: delivery ${row.id} (${row.kind}) ${outcome.kind}: ${outcome.error}`);
    this.onChange(row.id);
  }
}
