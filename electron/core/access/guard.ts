// Browser-origin rules in front of every authenticated route and WebSocket:
// - Host allow-list against DNS rebinding: a page at evil.example that re-resolves to 127.0.0.1 still sends
//   "Host: evil.example", so only loopback names, this machine's own addresses and LIVECUE_ALLOWED_HOSTS are served.
// - Origin: a browser always sends it on cross-origin fetches and on every WebSocket handshake (Fetch standard,
//   "Origin header"; RFC 6455 §4.1 item 8 / §10.2); it must be this very server (or the desktop app's app://livecue).
// - failed-auth rate limit per peer address, so a web page cannot guess a weak token (the audit found one in 91 ms).
import type { IncomingMessage } from 'node:http';
import os from 'node:os';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** the desktop window's own origin (electron/main registers app://livecue) */
export const APP_ORIGIN = 'app://livecue';

export function isLoopbackPeer(req: IncomingMessage): boolean {
  return LOOPBACK_PEERS.has(req.socket.remoteAddress ?? '');
}

/** "host:port" → "host" (IPv6 literals keep their brackets) */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon > 0 ? h.slice(0, colon) : h;
}

export class HostRules {
  private readonly extra: Set<string>;
  private cache: { at: number; names: Set<string> } | null = null;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.extra = new Set(
      (env.LIVECUE_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  /** this machine's interface addresses, re-read at most every 10 s (Wi-Fi changes address mid-show) */
  private own(): Set<string> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < 10_000) return this.cache.names;
    const names = new Set<string>();
    for (const addrs of Object.values(os.networkInterfaces())) {
      for (const a of addrs ?? []) names.add(a.family === 'IPv6' ? `[${a.address.toLowerCase()}]` : a.address);
    }
    this.cache = { at: now, names };
    return names;
  }

  /** Host header allowed: loopback always; this machine's addresses only while listening beyond loopback. */
  hostAllowed(req: IncomingMessage, lan: boolean): boolean {
    const header = req.headers.host;
    if (!header) return false;
    const name = hostName(header);
    if (LOOPBACK_NAMES.has(name) || this.extra.has(name)) return true;
    return lan && this.own().has(name);
  }

  /** Origin absent (curl, scripts, Stream Deck) or this server as the browser addressed it, or the desktop app. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (origin === APP_ORIGIN) return true;
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  }
}

/** Failed attempts per peer in a sliding minute; past the limit every attempt is refused until the window clears. */
export class FailedAuthLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit = 20, windowMs = 60_000) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private recent(peer: string, now: number): number[] {
    const list = (this.hits.get(peer) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.hits.set(peer, list);
    else this.hits.delete(peer);
    return list;
  }

  blocked(peer: string, now = Date.now()): boolean {
    return this.recent(peer, now).length >= this.limit;
  }

  clear(): void {
    this.hits.clear();
  }

  fail(peer: string, now = Date.now()): void {
    const list = this.recent(peer, now);
    list.push(now);
    this.hits.set(peer, list);
    // bounded memory under a spray of spoofed peers: forget the oldest
    if (this.hits.size > 10_000) this.hits.delete(this.hits.keys().next().value!);
  }
}
