// The connection to OBS (obs-websocket v5). obs-websocket-js gives us the protocol; this adds what a live room needs:
// reconnect with exponential backoff and jitter, a timeout on every request (the library leaves a request pending
// forever when the socket closes mid-call), dead-peer detection by WebSocket ping, and "auth failed" as a final state.
import { EventSubscription, OBSWebSocket, OBSWebSocketError, RequestBatchExecutionType } from 'obs-websocket-js';
import type { ObsConnection } from '../../../shared/protocol/obs.ts';

/** obs-websocket closes with 4009 when the password is wrong: retrying cannot help. */
export const AUTH_FAILED = 4009;

export interface LinkOptions {
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** backoff: first delay and ceiling */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** ping period; the peer is dead after `deadAfterMs` without a pong or message */
  pingEveryMs?: number;
  deadAfterMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface LinkState {
  connection: ObsConnection;
  lastError: string | null;
  retryAt: number | null;
  obsVersion: string | null;
  websocketVersion: string | null;
}

export interface BatchRequest {
  requestType: string;
  requestData?: Record<string, unknown>;
}

export interface BatchResult {
  requestType: string;
  requestStatus: { result: boolean; code: number; comment?: string };
  responseData?: Record<string, unknown>;
}

export class ObsRequestError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** the ws socket under obs-websocket-js (Node's `ws`), for ping/terminate */
interface RawSocket {
  ping?: () => void;
  terminate?: () => void;
  close: () => void;
  on?: (event: string, fn: () => void) => void;
}

class Socket extends OBSWebSocket {
  get raw(): RawSocket | undefined {
    return this.socket as unknown as RawSocket | undefined;
  }
}

type EventHandler = (data: unknown) => void;

export class ObsLink {
  private readonly opts: Required<Omit<LinkOptions, 'log' | 'now'>>;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private ws: Socket | null = null;
  private url = '';
  private password: string | undefined;
  private running = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  /** bumps on every (re)connect so late callbacks of an old socket are ignored */
  private generation = 0;
  private readonly pending = new Set<(error: Error) => void>();
  private readonly stateListeners = new Set<(state: LinkState) => void>();
  private readonly connectedListeners = new Set<() => void | Promise<void>>();
  private readonly eventListeners = new Map<string, Set<EventHandler>>();
  state: LinkState = { connection: 'disabled', lastError: null, retryAt: null, obsVersion: null, websocketVersion: null };

  constructor(options: LinkOptions = {}) {
    this.opts = {
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 8000,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 10_000,
      pingEveryMs: options.pingEveryMs ?? 5000,
      deadAfterMs: options.deadAfterMs ?? 15_000,
    };
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  get connected(): boolean {
    return this.state.connection === 'connected';
  }

  onState(fn: (state: LinkState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** runs after every successful (re)connect: re-read OBS and re-apply what LiveCue shows */
  onConnected(fn: () => void | Promise<void>): () => void {
    this.connectedListeners.add(fn);
    return () => this.connectedListeners.delete(fn);
  }

  /** an OBS event by name (StreamStateChanged …); register before start(): it applies to every later socket */
  onEvent(name: string, fn: EventHandler): void {
    const set = this.eventListeners.get(name) ?? new Set<EventHandler>();
    set.add(fn);
    this.eventListeners.set(name, set);
  }

  /** (Re)starts connecting to `url`; a running connection is dropped first. */
  start(url: string, password: string | undefined): void {
    this.stop();
    this.url = url;
    this.password = password || undefined;
    this.running = true;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.dropSocket();
    this.failPending(new ObsRequestError(-1, 'OBS 连接已关闭 / OBS connection closed'));
    this.setState({ connection: 'disabled', retryAt: null });
  }

  /** One request with a timeout; rejects at once when not connected. */
  call<T = Record<string, unknown>>(requestType: string, requestData?: Record<string, unknown>, timeoutMs = this.opts.requestTimeoutMs): Promise<T> {
    const ws = this.ws;
    if (!ws || !this.connected) return Promise.reject(new ObsRequestError(-1, 'OBS 未连接 / OBS is not connected'));
    const call = ws.call as (t: string, d?: Record<string, unknown>) => Promise<unknown>;
    return this.guard(call.call(ws, requestType, requestData), `${requestType}`, timeoutMs) as Promise<T>;
  }

  /** A RequestBatch: OBS runs the requests one after another in one message (SerialRealtime). */
  batch(requests: BatchRequest[], haltOnFailure = true, timeoutMs = this.opts.requestTimeoutMs): Promise<BatchResult[]> {
    const ws = this.ws;
    if (!ws || !this.connected) return Promise.reject(new ObsRequestError(-1, 'OBS 未连接 / OBS is not connected'));
    const batch = ws.callBatch as (r: BatchRequest[], o: object) => Promise<unknown>;
    const sent = batch.call(ws, requests, { executionType: RequestBatchExecutionType.SerialRealtime, haltOnFailure });
    return this.guard(sent, `batch of ${requests.length}`, timeoutMs) as Promise<BatchResult[]>;
  }

  private guard(promise: Promise<unknown>, what: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let done = false;
      const fail = (error: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => fail(new ObsRequestError(-2, `OBS 请求超时 / OBS request timed out: ${what}`)), timeoutMs);
      this.pending.add(fail);
      promise.then(
        (value) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.pending.delete(fail);
          this.lastHeard = this.now();
          resolve(value);
        },
        (error: unknown) => {
          const e = error as { code?: number; message?: string };
          fail(error instanceof OBSWebSocketError ? new ObsRequestError(e.code ?? -1, e.message ?? 'OBS error') : (error as Error));
        },
      );
    });
  }

  private failPending(error: Error): void {
    for (const fail of [...this.pending]) fail(error);
  }

  private setState(patch: Partial<LinkState>): void {
    const next = { ...this.state, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = next;
    for (const fn of this.stateListeners) fn(next);
  }

  private dropSocket(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.removeAllListeners();
    // a dead peer never answers a close handshake: terminate drops the TCP connection at once
    try {
      const raw = ws.raw;
      if (raw?.terminate) raw.terminate();
      else void ws.disconnect().catch(() => {});
    } catch {
      /* already gone */
    }
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ connection: 'connecting', retryAt: null });
    const ws = new Socket();
    this.ws = ws;
    let timer: NodeJS.Timeout | undefined;
    try {
      const hello = await Promise.race([
        ws.connect(this.url, this.password, {
          rpcVersion: 1,
          // only what LiveCue reads: scene-item events would arrive just before our own batch responses and, with
          // Nagle on OBS's side and delayed ACKs on ours, hold those responses back by ~40 ms
          eventSubscriptions: EventSubscription.General | EventSubscription.Scenes | EventSubscription.Inputs | EventSubscription.Outputs,
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ObsRequestError(-2, `连接超时 / no answer from ${this.url}`)), this.opts.connectTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (generation !== this.generation) return;
      this.attempt = 0;
      this.lastHeard = this.now();
      this.watch(ws, generation);
      this.setState({
        connection: 'connected',
        lastError: null,
        retryAt: null,
        obsVersion: null,
        websocketVersion: hello.obsWebSocketVersion ?? null,
      });
      this.log(`obs: connected to ${this.url} (obs-websocket ${hello.obsWebSocketVersion})`);
      for (const fn of this.connectedListeners) {
        try {
          await fn();
        } catch (error) {
          this.log(`obs: after-connect step failed: ${(error as Error).message}`);
        }
        if (generation !== this.generation) return;
      }
    } catch (error) {
      clearTimeout(timer);
      if (generation !== this.generation) return;
      const e = error as { code?: number; message?: string };
      this.dropSocket();
      if (e.code === AUTH_FAILED) {
        this.running = false;
        this.setState({ connection: 'auth_failed', lastError: 'OBS 密码错误 / authentication failed (4009): check the password in OBS → Tools → WebSocket Server Settings', retryAt: null });
        this.log(`obs: authentication failed at ${this.url}; not retrying`);
        return;
      }
      this.scheduleRetry(describe(e, this.url));
    }
  }

  private watch(ws: Socket, generation: number): void {
    ws.on('ConnectionClosed', (error: OBSWebSocketError) => {
      if (generation !== this.generation) return;
      this.onLost(error.code === AUTH_FAILED ? 'auth' : `OBS 断开 / OBS closed the connection (${error.code}${error.message ? ' ' + error.message : ''})`);
    });
    for (const [name, fns] of this.eventListeners) {
      ws.on(name as never, ((data: unknown) => {
        if (generation !== this.generation) return;
        for (const fn of fns) fn(data);
      }) as never);
    }
    ws.raw?.on?.('pong', () => (this.lastHeard = this.now()));
    ws.raw?.on?.('message', () => (this.lastHeard = this.now()));
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (generation !== this.generation) return;
      if (this.now() - this.lastHeard > this.opts.deadAfterMs) {
        this.onLost(`OBS 无响应 / OBS stopped answering for ${Math.round(this.opts.deadAfterMs / 1000)} s`);
        return;
      }
      try {
        ws.raw?.ping?.();
      } catch {
        /* the close event follows */
      }
    }, this.opts.pingEveryMs);
    this.pingTimer.unref();
  }

  private onLost(reason: string): void {
    clearInterval(this.pingTimer);
    this.generation++;
    this.dropSocket();
    this.failPending(new ObsRequestError(-1, 'OBS 连接中断 / OBS connection lost'));
    if (reason === 'auth') {
      this.running = false;
      this.setState({ connection: 'auth_failed', lastError: 'OBS 密码错误 / authentication failed (4009)', retryAt: null });
      return;
    }
    this.log(`obs: ${reason}; reconnecting`);
    this.scheduleRetry(reason);
  }

  private scheduleRetry(reason: string): void {
    if (!this.running) return;
    // exponential backoff with "equal jitter": half fixed, half random, so many desks do not reconnect in lockstep
    const ceiling = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** this.attempt++);
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.setState({ connection: 'unreachable', lastError: reason, retryAt: this.now() + delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.running) void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}

function describe(e: { code?: number; message?: string }, url: string): string {
  const message = e.message || 'connection refused';
  if (/ECONNREFUSED|connect/i.test(message) || e.code === 1006) return `无法连接 OBS / cannot reach OBS at ${url}: ${message}`;
  return `OBS: ${message} (${e.code ?? '?'})`;
}
