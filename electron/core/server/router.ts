// A small route table for HTTP API v1: method + path pattern (":id" segments) → handler. Domains add their own routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../access/tokens.ts';
import type { Level } from '../access/policy.ts';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** parsed JSON body (`{}` when empty); raw bytes for routes registered with raw: true */
  body: unknown;
  raw: Buffer;
  /** who called (null on public routes) */
  caller: Caller | null;
  /** the peer is this machine (loopback) */
  loopback: boolean;
}

export type RouteHandler = (ctx: RouteContext) => unknown | Promise<unknown>;

export interface RouteOptions {
  /** no bearer token needed (health, overlay, WeChat callback: they carry their own checks) */
  public?: boolean;
  /** pass the body through as bytes (CSV uploads, signed callbacks) */
  raw?: boolean;
  /** max body bytes (default 1 MiB) */
  maxBody?: number;
  /** the handler writes the response itself */
  manual?: boolean;
  /**
   * who may call it (default: display for GET routes listed by their domain, else producer); 'trigger' routes also
   * take a trigger-role token in ?token= (Stream Deck buttons); 'command' routes take the level of the named command
   */
  access?: Level | 'trigger' | 'command';
  /** cheap checks on the request line and headers, run before the body is read (public callbacks: query signature
   *  shape, timestamp freshness); throws a CoreError to refuse */
  guard?: (req: IncomingMessage, url: URL) => void;
}

interface Route extends RouteOptions {
  method: string;
  parts: string[];
  handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler, options: RouteOptions = {}): void {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, ...options });
  }

  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | 'method' | null {
    const parts = pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    }
    return pathMatched ? 'method' : null;
  }
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]!);
      } catch {
        return null;
      }
    } else if (p !== parts[i]) return null;
  }
  return params;
}
