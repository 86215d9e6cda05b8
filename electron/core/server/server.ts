// The core's HTTP + WebSocket carrier: API v1 (bearer token), the event stream, and the built UI for browser mode and
// LAN second screens. Loopback-only unless the host says otherwise (--host or LAN sharing in Settings).
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerInfo } from '../../../shared/domain.ts';
import type { CoreEvent, ErrorBody, ErrorCode } from '../../../shared/protocol/index.ts';
import { type Core, storageProblem } from '../core.ts';
import { CoreError } from '../errors.ts';
import { FailedAuthLimiter, HostRules, isLoopbackPeer } from '../access/guard.ts';
import { allows, commandLevel, type Level } from '../access/policy.ts';
import type { Caller } from '../access/tokens.ts';
import { registerAccess } from '../access/handlers.ts';
import { type RouteContext, type RouteHandler, type RouteOptions, Router } from './router.ts';
import { Heartbeat } from './heartbeat.ts';
import { registerApiRoutes } from './routes.ts';
import { qrcode } from '../qr.ts';
import { mimeOf } from '../../../shared/mime.ts';

export interface ServerOptions {
  port: number;
  /** bind address; default 127.0.0.1, or 0.0.0.0 when LAN sharing is on */
  host?: string;
  /** built renderer (index.html + assets); browser mode and LAN screens are served from it */
  rendererDir?: string;
  /** LIVECUE_ALLOWED_HOSTS (extra Host names, e.g. behind a reverse proxy); default process.env */
  env?: NodeJS.ProcessEnv;
}

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
  internal: 500,
  forbidden: 403,
  too_many: 429,
};

/**
 * The UI's CSP. connect-src names only this server (its HTTP origin and its WebSocket at the Host the browser used),
 * never "any ws: host": a script injected into the page could not send data elsewhere.
 */
export function csp(wsHost: string | null): string {
  return (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; " +
    `media-src 'self' blob:; connect-src 'self'${wsHost ? ` ws://${wsHost}` : ''}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`
  );
}

/** A WebSocket client that has not read this much yet is too slow to be a live view: it is dropped and will resync. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export class CoreServer {
  readonly router = new Router();
  readonly core: Core;
  private http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly rendererDir: string | undefined;
  private readonly explicitHost: string | undefined;
  private port: number;
  private host: string;
  private readonly heartbeat: Heartbeat;
  private unsubscribe: (() => void) | undefined;
  private readonly old: http.Server[] = [];
  private readonly upgrades = new Map<string, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>();
  readonly hosts: HostRules;
  readonly failures = new FailedAuthLimiter();

  constructor(core: Core, options: ServerOptions) {
    this.core = core;
    this.port = options.port;
    this.rendererDir = options.rendererDir;
    this.explicitHost = options.host;
    this.host = options.host ?? (core.settings.get<boolean>('lanSharing') ? '0.0.0.0' : '127.0.0.1');
    this.http = this.createHttp();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.heartbeat = new Heartbeat(this.wss);
    this.hosts = new HostRules(options.env);
    registerApiRoutes(this);
    registerAccess(this);
    core.handle('server.info', () => this.info());
    core.handle('server.setLanSharing', async ({ enabled }) => {
      core.settings.set('lanSharing', enabled);
      await this.rebind(enabled ? '0.0.0.0' : '127.0.0.1');
      const info = await this.info();
      core.emit({ type: 'server.changed', info });
      return info;
    });
  }

  route(method: string, pattern: string, handler: RouteHandler, options?: RouteOptions): void {
    this.router.add(method, pattern, handler, options);
  }

  /** Another WebSocket endpoint (e.g. the overlay's), authenticated by its owner. */
  upgrade(pathname: string, handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void {
    this.upgrades.set(pathname, handler);
  }

  private createHttp(): http.Server {
    const server = http.createServer((req, res) => void this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    return server;
  }

  async listen(): Promise<{ port: number; host: string }> {
    await this.bind();
    this.port = (this.http.address() as { port: number }).port;
    this.unsubscribe = this.core.subscribe((event) => this.broadcast(event));
    this.heartbeat.start();
    return { port: this.port, host: this.host };
  }

  private bind(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.http.off('listening', onListening);
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`端口 ${this.port} 已被占用 / port ${this.port} is already in use: pass --port with another number`)
            : error,
        );
      };
      const onListening = () => {
        this.http.off('error', onError);
        resolve();
      };
      this.http.once('error', onError);
      this.http.once('listening', onListening);
      this.http.listen(this.port, this.host);
    });
  }

  /** Moves the listening socket to another address; open connections (this very request, live views) carry on. */
  private async rebind(host: string): Promise<void> {
    if (this.explicitHost || host === this.host) return;
    const old = this.http;
    const previous = this.host;
    old.close();
    this.host = host;
    this.http = this.createHttp();
    try {
      await this.bind();
    } catch (error) {
      this.host = previous;
      this.http = this.createHttp();
      await this.bind();
      throw new CoreError('conflict', `无法切换监听地址 / could not listen on ${host}:${this.port}: ${(error as Error).message}`);
    }
    this.old.push(old);
  }

  async close(): Promise<void> {
    this.heartbeat.stop();
    this.unsubscribe?.();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await Promise.all(
      [this.http, ...this.old].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  get address() {
    return { port: this.port, host: this.host };
  }

  get lanSharing(): boolean {
    return this.host !== '127.0.0.1' && this.host !== 'localhost' && this.host !== '::1';
  }

  /** Base URLs a second screen can open: LAN addresses first when sharing is on, then loopback. */
  baseUrls(): string[] {
    const urls: string[] = [];
    if (this.lanSharing) {
      for (const addrs of Object.values(os.networkInterfaces())) {
        for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) urls.push(`http://${a.address}:${this.port}/`);
      }
    }
    urls.push(`http://127.0.0.1:${this.port}/`);
    return urls;
  }

  /** The owner sees the owner token; anyone else gets the same answer without it. */
  async info(caller: Caller | null = null): Promise<ServerInfo> {
    const lanSharing = this.lanSharing;
    // the host display link (and its QR, shown across the room) carries a display token, never the owner's
    const q = `?token=${encodeURIComponent(this.core.displayLinkToken())}#/host`;
    const urls: string[] = [];
    if (lanSharing) {
      for (const addrs of Object.values(os.networkInterfaces())) {
        for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) urls.push(`http://${a.address}:${this.port}/${q}`);
      }
    }
    urls.push(`http://127.0.0.1:${this.port}/${q}`);
    return {
      version: this.core.version,
      dataDir: this.core.dataDir,
      dbPath: this.core.dbPath,
      token: caller === null || caller.role === 'owner' ? this.core.token : '',
      port: this.port,
      host: this.host,
      lanSharing,
      hostDisplayUrls: urls,
      hostDisplayQrSvg: await (await qrcode()).toString(urls[0]!, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      overlayUrl: `http://127.0.0.1:${this.port}/overlay?token=${encodeURIComponent(this.core.displayLinkToken())}`,
    };
  }

  /**
   * Who is calling: the Bearer header, or ?token= on GET/HEAD and WebSocket handshakes only (browsers cannot set a
   * header on a WebSocket, an <img> or a <video>). A state-changing request with the token in the URL is refused.
   */
  identify(req: IncomingMessage, url: URL): Caller {
    const peer = req.socket.remoteAddress ?? '?';
    if (this.failures.blocked(peer)) {
      throw new CoreError('too_many', '令牌错误次数过多，请一分钟后再试 / too many wrong tokens from this address: wait a minute');
    }
    const header = req.headers.authorization;
    const fromHeader = header?.startsWith('Bearer ') ? header.slice(7).trim() : null;
    const safe = req.method === 'GET' || req.method === 'HEAD';
    const fromQuery = url.searchParams.get('token');
    if (!fromHeader && fromQuery && !safe) {
      throw new CoreError(
        'unauthorized',
        '修改类请求须用 Authorization 头传令牌 / send the token in "Authorization: Bearer <token>" (?token= is for links only)',
      );
    }
    const given = fromHeader ?? (safe ? fromQuery : null);
    const caller = given ? this.core.access.identify(given, this.core.now()) : null;
    if (!caller) {
      this.failures.fail(peer);
      throw new CoreError('unauthorized', '缺少或错误的令牌 / missing or wrong token: send "Authorization: Bearer <token>"');
    }
    return caller;
  }

  /** Host allow-list (DNS rebinding) and, on requests that change state, an allowed Origin. */
  private checkBrowserRules(req: IncomingMessage, changing: boolean): void {
    if (!this.hosts.hostAllowed(req, this.lanSharing)) {
      throw new CoreError(
        'forbidden',
        `不接受此主机名 / Host "${String(req.headers.host ?? '').slice(0, 100)}" is not this LiveCue (set LIVECUE_ALLOWED_HOSTS to add one)`,
      );
    }
    if (changing && !this.hosts.originAllowed(req)) {
      throw new CoreError(
        'forbidden',
        `不接受来自其他网页的请求 / requests from another web page (Origin ${String(req.headers.origin).slice(0, 100)}) are refused`,
      );
    }
  }

  private checkLevel(caller: Caller, level: Level | 'trigger', loopback: boolean): void {
    if (level === 'trigger') {
      if (caller.role === 'trigger' || caller.role === 'producer' || caller.role === 'owner') return;
    } else if (allows(caller.role, level, loopback)) return;
    if (level === 'owner-local' && caller.role === 'owner') {
      throw new CoreError(
        'forbidden',
        '此项设置只能在本机修改（桌面应用、命令行或本机浏览器）/ this setting can only be changed at the machine itself (desktop app, command line or a browser on this computer)',
      );
    }
    throw new CoreError('forbidden', `此令牌（${caller.role}）无权执行该操作 / a ${caller.role} token may not do this`);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(res, new CoreError('bad_request', 'bad URL'));
    }
    try {
      if (!url.pathname.startsWith('/api/') && !url.pathname.startsWith('/wechat/') && (req.method === 'GET' || req.method === 'HEAD')) {
        const matched = this.router.match('GET', url.pathname);
        if (!matched || matched === 'method')
          return this.serveStatic(url.pathname, res, this.hosts.hostAllowed(req, this.lanSharing) ? (req.headers.host ?? null) : null);
      }
      const matched = this.router.match(req.method ?? 'GET', url.pathname);
      if (matched === null) throw new CoreError('not_found', `no route ${req.method} ${url.pathname}`);
      if (matched === 'method') throw new CoreError('not_found', `${req.method} is not supported on ${url.pathname}`);
      const { route, params } = matched;
      const changing = req.method !== 'GET' && req.method !== 'HEAD';
      const loopback = isLoopbackPeer(req);
      let caller: Caller | null = null;
      if (!route.public) {
        this.checkBrowserRules(req, changing);
        caller = this.identify(req, url);
        if (route.access !== 'command') this.checkLevel(caller, route.access ?? 'producer', loopback);
      }
      route.guard?.(req, url);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > (route.maxBody ?? 1024 * 1024)) {
        throw new CoreError(
          'too_large',
          `请求体超过 ${Math.round((route.maxBody ?? 1024 * 1024) / 1024)} KiB / body larger than ${route.maxBody ?? 1024 * 1024} bytes`,
        );
      }
      const raw = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, route.maxBody ?? 1024 * 1024);
      let body: unknown = {};
      if (!route.raw && raw.length) {
        // a JSON body comes as application/json: a form or text/plain post (which a web page may send without a CORS
        // preflight) is never read as a command
        if (!route.public && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
          throw new CoreError(
            'bad_request',
            '请求体须为 JSON（Content-Type: application/json）/ send the body as Content-Type: application/json',
          );
        }
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new CoreError('bad_request', '请求体不是有效 JSON / body is not valid JSON');
        }
      }
      if (caller && route.access === 'command') this.checkLevel(caller, commandLevel(params.command ?? '', body), loopback);
      const ctx: RouteContext = { req, res, url, params, body, raw, caller, loopback };
      let result = await route.handler(ctx);
      if (route.access === 'command' && params.command === 'server.info') result = await this.info(caller);
      if (route.manual) return;
      sendJson(res, 200, result ?? { ok: true });
    } catch (error) {
      // a write refused by the disk (read-only, full) on a route outside core.invoke: 503 with the reason, as invoke does
      const storage = error instanceof CoreError ? null : storageProblem(error, this.core.now());
      if (storage) return sendError(res, new CoreError('unavailable', storage.message, { storage: storage.reason }));
      if (!(error instanceof CoreError)) this.core.log(`request ${req.method} ${url.pathname} failed: ${(error as Error)?.stack ?? error}`);
      sendError(res, error);
    }
  }

  private serveStatic(pathname: string, res: ServerResponse, wsHost: string | null): void {
    if (!this.rendererDir || !fs.existsSync(path.join(this.rendererDir, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('界面尚未构建，请运行 npm run build / the UI is not built yet: run `npm run build` (the API works meanwhile)\n');
      return;
    }
    const rel = pathname === '/' ? 'index.html' : decodeSafe(pathname).replace(/^\/+/, '');
    const file = path.resolve(this.rendererDir, rel);
    if (!file.startsWith(path.resolve(this.rendererDir) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      return sendError(res, new CoreError('not_found', `no such page: ${pathname}`));
    }
    const ext = path.extname(file);
    res.writeHead(200, {
      'content-type': mimeOf(file),
      'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      'content-security-policy': csp(wsHost),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    fs.createReadStream(file).pipe(res);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const custom = this.upgrades.get(url.pathname);
    if (custom) return custom(req, socket, head);
    if (url.pathname !== '/api/v1/stream') return rejectUpgrade(socket, 404, 'Not Found');
    const refused = this.refuseUpgrade(req, url, 'display');
    if (refused) return rejectUpgrade(socket, refused.status, refused.text);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.acceptStream(ws));
  }

  /**
   * Every WebSocket handshake: Host allow-list, Origin (a browser always sends it on a handshake, RFC 6455 §4.1), then
   * a token of at least `level` (?token= here: a browser cannot set a header on a WebSocket). Null when accepted.
   */
  refuseUpgrade(req: IncomingMessage, url: URL, level: Level): { status: number; text: string } | null {
    try {
      this.checkBrowserRules(req, true);
      this.checkLevel(this.identify(req, url), level, isLoopbackPeer(req));
      return null;
    } catch (error) {
      const code = error instanceof CoreError ? error.code : 'internal';
      return {
        status: STATUS[code],
        text: code === 'unauthorized' ? 'Unauthorized' : code === 'too_many' ? 'Too Many Requests' : 'Forbidden',
      };
    }
  }

  /** A view connects: it gets the full snapshot first, then every event. */
  acceptStream(ws: WebSocket): void {
    this.heartbeat.track(ws);
    ws.on('error', () => ws.terminate());
    ws.on('message', () => {
      /* views only listen; commands go over HTTP */
    });
    ws.send(JSON.stringify({ type: 'snapshot', snapshot: this.core.snapshot() } satisfies CoreEvent));
  }

  /** Hands a WebSocket to the stream (for other upgrade paths that authenticate differently). */
  get streamServer(): WebSocketServer {
    return this.wss;
  }

  private broadcast(event: CoreEvent): void {
    if (this.wss.clients.size === 0) return;
    // encoded once for every screen (ws would turn a string into a new Buffer per client): fan-out cost per extra
    // screen is one write (bench/fanout.ts)
    const data = Buffer.from(JSON.stringify(event));
    for (const ws of this.wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        continue;
      }
      ws.send(data, { binary: false });
    }
  }
}

function decodeSafe(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        // keep draining so the client can read our 413; a client that never stops is cut off
        if (size > max + 64 * 1024 * 1024) req.destroy();
        return;
      }
      if (size > max) {
        over = true;
        chunks.length = 0;
        reject(new CoreError('too_large', `请求体超过 ${Math.round(max / 1024)} KiB / body larger than ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: unknown): void {
  const e = error instanceof CoreError ? error : new CoreError('internal', '内部错误 / internal error');
  const body: ErrorBody = { error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } };
  sendJson(res, STATUS[e.code], body);
}
