// The /overlay page for OBS browser sources. The page itself is public static files; its read-only WebSocket
// (/overlay/stream) needs a display token, which the browser source URL carries (/overlay?token=…), and the same
// Host/Origin rules as the API (a web page elsewhere cannot hold sockets and starve OBS). It sends the full state on
// connect and every change after; nothing the page sends is read.
import fs from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { OverlayState } from '../../../shared/protocol/obs.ts';
import { CoreError } from '../errors.ts';
import { Heartbeat } from '../server/heartbeat.ts';
import type { CoreServer } from '../server/server.ts';

const FILES: Record<string, { file: string; type: string }> = {
  '/overlay': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/overlay/overlay.js': { file: 'overlay.js', type: 'text/javascript; charset=utf-8' },
  '/overlay/overlay.css': { file: 'overlay.css', type: 'text/css; charset=utf-8' },
};
/** a page served to OBS: no framing limits (OBS embeds it), no inline script, images from the product's host */
const overlayCsp = (wsHost: string | null) =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; connect-src 'self'${wsHost ? ` ws://${wsHost}` : ''}; base-uri 'none'; form-action 'none'`;
const MAX_CLIENTS = 64;
/** one OBS (a few browser sources, a preview) per address; more from one peer is someone holding sockets */
export const MAX_CLIENTS_PER_PEER = 8;

export type OverlayMessage = { type: 'overlay'; state: OverlayState | null };

export class OverlayFeed {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly heartbeat = new Heartbeat(this.wss);
  private readonly perPeer = new Map<string, number>();

  attach(server: CoreServer, read: () => OverlayState | null, resourcesDir: string): void {
    const dir = path.join(resourcesDir, 'overlay');
    for (const [route, { file, type }] of Object.entries(FILES)) {
      server.route(
        'GET',
        route,
        ({ req, res }) => {
          let body: Buffer;
          try {
            body = fs.readFileSync(path.join(dir, file));
          } catch {
            throw new CoreError('not_found', `overlay file missing: ${file}`);
          }
          res.writeHead(200, {
            'content-type': type,
            'cache-control': 'no-cache',
            'content-security-policy': overlayCsp(server.hosts.hostAllowed(req, server.lanSharing) ? (req.headers.host ?? null) : null),
            'x-content-type-options': 'nosniff',
          });
          res.end(body);
        },
        { public: true, manual: true },
      );
    }
    server.upgrade('/overlay/stream', (req, socket, head) => {
      const refused = server.refuseUpgrade(req, new URL(req.url ?? '/', 'http://localhost'), 'display');
      if (refused) {
        socket.end(`HTTP/1.1 ${refused.status} ${refused.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const peer = req.socket.remoteAddress ?? '?';
      if (this.wss.clients.size >= MAX_CLIENTS || (this.perPeer.get(peer) ?? 0) >= MAX_CLIENTS_PER_PEER) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        const n = (this.perPeer.get(peer) ?? 1) - 1;
        if (n > 0) this.perPeer.set(peer, n);
        else this.perPeer.delete(peer);
      };
      socket.once('close', release);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.once('close', release);
        this.heartbeat.track(ws);
        ws.on('error', () => ws.terminate());
        ws.on('message', () => {});
        ws.send(JSON.stringify({ type: 'overlay', state: read() } satisfies OverlayMessage));
      });
    });
    this.heartbeat.start();
  }

  publish(state: OverlayState | null): void {
    const data = JSON.stringify({ type: 'overlay', state } satisfies OverlayMessage);
    for (const ws of this.wss.clients) if (ws.readyState === ws.OPEN) ws.send(data);
  }

  close(): void {
    this.heartbeat.stop();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
