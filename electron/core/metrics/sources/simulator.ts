// The embedded audience model for rehearsals, demos and benchmarks. Seeded, so a rehearsal replays the same way.
// Per simulated second: arrivals (Poisson, boosted after a push), each with a log-normal dwell, exits when it runs out;
// the pinned product is exposed to the room, exposures click and clicks pay (hot products convert better); orders,
// comments, joins/leaves and a 1 Hz reading come out as the same events the real sources produce.
import type { Product, SessionState } from '../../../../shared/domain.ts';
import type { MetricEvent } from '../../../../shared/protocol/metrics.ts';
import type { MetricsSource, SourceContext, SourceStatus } from './source.ts';

export interface SimulatorOptions {
  seed?: number;
  timeScale?: number;
  arrivalsPerSecond?: number;
  /** wall-clock step of the driver (ms) */
  stepMs?: number;
  /**
   * 'wall' (default): events are stamped with the real second they are produced in, so ×N compresses the audience
   * (N simulated seconds of arrivals, dwell and orders per real second), never the calendar: nothing is written after
   * now (#13). 'model': stamped with simulated time, for benchmarks that need an 8-hour calendar in minutes.
   */
  clock?: 'wall' | 'model';
}

/** mulberry32: small, fast, seedable; good enough for an audience model */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMENTS = ['多少钱？', '有优惠券吗', '已下单', '主播讲讲尺码', '怎么买', '好看！', '还有库存吗', '发什么快递', '上链接', '👍'];
const MAX_CATCH_UP_S = 3600;
const BATCH_EVENTS = 1500;

interface Funnel {
  exposureUv: number;
  clickUv: number;
  payUv: number;
  gmv: number;
}

export class Simulator implements MetricsSource {
  readonly name = 'simulator' as const;
  private readonly ctx: SourceContext;
  private readonly rand: () => number;
  readonly timeScale: number;
  private readonly arrivals: number;
  private readonly stepMs: number;
  private readonly clock: 'wall' | 'model';
  /** products whose funnel moved since the last reading */
  private readonly touchedPending = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private simNow = 0;
  private wallStart = 0;
  private simStart = 0;
  private uv = 0;
  private pv = 0;
  /**
   * Who is in the room, by viewer number (viewer "v12" is number 12): one byte per viewer ever created, instead of a
   * Set of id strings whose hash table, churned by ~20 joins and leaves a second, is reallocated over and over (at
   * 600× that was ~1 MB/s of large-object garbage). 8 h at 20 arrivals/s ≈ 650 000 viewers ≈ 1 MB.
   */
  private inRoom = new Uint8Array(1024);
  private online = 0;
  /** viewer numbers by the simulated second they leave at */
  private readonly leaving = new Map<number, number[]>();
  private readonly funnels = new Map<number, Funnel>();
  private orderSeq = 0;
  private readonly seqBase: number;
  private pushAt = -Infinity;
  private pushStrength = 0;
  private pinned: Product | null = null;
  private lineup: number[] = [];
  /** the lineup's products, read once per step (not once per simulated second: at 600× that was 3 000 queries/s) */
  private lineupProducts: Product[] = [];
  private state: SourceStatus = { state: 'idle', message: null };

  constructor(ctx: SourceContext, options: SimulatorOptions = {}) {
    this.ctx = ctx;
    this.rand = prng(options.seed ?? 20240601);
    this.timeScale = Math.min(600, Math.max(1, options.timeScale ?? 1));
    this.arrivals = options.arrivalsPerSecond ?? 3;
    this.stepMs = options.stepMs ?? 250;
    this.clock = options.clock ?? 'wall';
    this.seqBase = Math.floor(this.rand() * 1e9);
  }

  start(): void {
    const s = this.ctx.session();
    this.onSession(s);
    // a session that went live a while ago (the desk restarted) is simulated from now on, not replayed
    const from = s.startedAt !== null && this.ctx.now() - s.startedAt < 10_000 ? s.startedAt : this.ctx.now();
    this.simStart = Math.floor(from / 1000) * 1000;
    this.simNow = this.simStart;
    this.wallStart = this.ctx.now();
    this.state = { state: 'running', message: `模拟数据 simulated ×${this.timeScale}` };
    this.timer = setInterval(() => this.drive(), this.stepMs);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.state = { state: 'idle', message: null };
  }

  status(): SourceStatus {
    return this.state;
  }

  onSession(state: SessionState): void {
    this.pinned = state.pinned;
    this.lineup = state.lineup.map((i) => i.productId);
  }

  onPush(reach: number | undefined): void {
    this.pushAt = this.simNow;
    // a push to groups brings a wave of arrivals: ~×3 at once, decaying over a few simulated minutes
    this.pushStrength = reach ? Math.min(6, 1 + reach / 500) : 2;
  }

  sizes(): Record<string, number> {
    let leavingIds = 0;
    for (const list of this.leaving.values()) leavingIds += list.length;
    return { present: this.online, inRoomBytes: this.inRoom.length, leavingSeconds: this.leaving.size, leavingIds, funnels: this.funnels.size };
  }

  /** simulated time now (ms) */
  get now(): number {
    return this.simNow;
  }

  /** the timestamp an event of simulated time `modelTs` is written with (see SimulatorOptions.clock) */
  stampOf(modelTs: number): number {
    if (this.clock === 'model' || this.timeScale === 1) return modelTs;
    return this.simStart + Math.floor((modelTs - this.simStart) / this.timeScale / 1000) * 1000;
  }

  private drive(): void {
    const target = this.simStart + (this.ctx.now() - this.wallStart) * this.timeScale;
    const seconds = Math.min(MAX_CATCH_UP_S, Math.floor((target - this.simNow) / 1000));
    if (seconds <= 0) return;
    try {
      this.step(seconds);
    } catch (error) {
      this.state = { state: 'error', message: (error as Error).message };
      this.ctx.log(`simulator: ${(error as Error).message}`);
    }
  }

  /** Runs the model for n simulated seconds and ingests them as one batch. */
  step(n: number): number {
    let events: MetricEvent[] = [];
    let total = 0;
    this.lineupProducts = [];
    for (const id of this.lineup) {
      const p = this.ctx.product(id);
      if (p) this.lineupProducts.push(p);
    }
    for (let i = 0; i < n; i++) {
      this.simNow += 1000;
      this.second(this.simNow, events);
      // modest batches: at 600× a single catch-up would otherwise be one huge transient allocation
      if (events.length >= BATCH_EVENTS) {
        total += events.length;
        this.ctx.ingest(events);
        events = [];
      }
    }
    if (events.length) this.ctx.ingest(events);
    return total + events.length;
  }

  private second(modelTs: number, out: MetricEvent[]): void {
    const sec = modelTs / 1000;
    const ts = this.stampOf(modelTs);
    const sinceP = (modelTs - this.pushAt) / 1000;
    const boost = sinceP >= 0 ? 1 + this.pushStrength * Math.exp(-sinceP / 180) : 1;
    const hot = this.pinned?.hot ?? false;
    const lambda = this.arrivals * boost * (this.pinned ? 1.1 : 1) * (hot ? 1.2 : 1);
    for (let k = poisson(this.rand, lambda); k > 0; k--) {
      const returning = this.uv > 20 && this.rand() < 0.15;
      const v = returning ? Math.floor(this.rand() * this.uv) : this.uv++;
      if (v >= this.inRoom.length) {
        const grown = new Uint8Array(this.inRoom.length * 2);
        grown.set(this.inRoom);
        this.inRoom = grown;
      }
      if (this.inRoom[v]) continue;
      this.pv++;
      this.inRoom[v] = 1;
      this.online++;
      out.push({ type: 'join', ts, viewerId: `v${v}` });
      // dwell: log-normal, median 100 s (hot pins hold viewers longer), capped at 4 h
      const dwell = Math.min(14_400, Math.max(3, Math.round(Math.exp(Math.log(hot ? 130 : 100) + 0.9 * gauss(this.rand)))));
      const at = sec + dwell;
      const list = this.leaving.get(at);
      if (list) list.push(v);
      else this.leaving.set(at, [v]);
    }
    const gone = this.leaving.get(sec);
    if (gone) {
      this.leaving.delete(sec);
      for (let i = 0; i < gone.length; i++) {
        const v = gone[i]!;
        if (!this.inRoom[v]) continue;
        this.inRoom[v] = 0;
        this.online--;
        out.push({ type: 'leave', ts, viewerId: `v${v}` });
      }
    }
    const online = this.online;
    const touched: number[] = [];
    if (this.pinned) this.funnel(this.pinned, online * 0.02, hot ? 0.18 : 0.1, hot ? 0.3 : 0.18, ts, out, touched);
    for (let i = 0; i < this.lineupProducts.length; i++) {
      const p = this.lineupProducts[i]!;
      if (p.id !== this.pinned?.id) this.funnel(p, online * 0.0008, 0.05, 0.1, ts, out, touched);
    }
    for (let k = poisson(this.rand, online * 0.003); k > 0; k--) {
      out.push({ type: 'comment', ts, text: COMMENTS[Math.floor(this.rand() * COMMENTS.length)]! });
    }
    // one reading per written second: at ×N the last of the N simulated seconds that share it, with every product
    // whose funnel moved in any of them
    for (const id of touched) this.touchedPending.add(id);
    if (this.stampOf(modelTs + 1000) === ts) return;
    const moved = [...this.touchedPending];
    this.touchedPending.clear();
    out.push({
      type: 'reading',
      ts,
      online,
      viewersUv: this.uv,
      viewsPv: this.pv,
      products: moved.map((id) => ({ productId: id, ...this.funnels.get(id)! })),
    });
  }

  private funnel(p: Product, exposureRate: number, ctr: number, payRate: number, ts: number, out: MetricEvent[], touched: number[]): void {
    const exposed = poisson(this.rand, exposureRate);
    if (exposed === 0) return;
    const f = this.funnels.get(p.id) ?? { exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 };
    const clicks = binomial(this.rand, exposed, ctr);
    const pays = binomial(this.rand, clicks, payRate);
    f.exposureUv += exposed;
    f.clickUv += clicks;
    f.payUv += pays;
    for (let k = 0; k < pays; k++) {
      const qty = this.rand() < 0.2 ? 2 : 1;
      const amount = (p.livePrice ?? p.price) * qty;
      f.gmv += amount;
      // 19 digits like a WeChat order id (beyond 2^53: text all the way)
      const orderId = `37${String(this.seqBase).padStart(9, '0')}${String(++this.orderSeq).padStart(8, '0')}`;
      out.push({ type: 'order', ts, orderId, amount, productId: p.id, status: 'paid' });
    }
    this.funnels.set(p.id, f);
    touched.push(p.id);
  }
}

function poisson(rand: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(rand)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function binomial(rand: () => number, n: number, p: number): number {
  if (n > 50) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gauss(rand))));
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

function gauss(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
