// Liveness for a WebSocket server's clients (the views' /api/v1/stream, the overlay's /overlay/stream): every interval
// each client is pinged, and one that did not answer the previous ping (a LAN screen asleep, Wi-Fi gone) is terminated
// so it frees its slot. RFC 6455 §5.5.2/§5.5.3 (Ping/Pong); `ws`: WebSocket#ping, the 'pong' event.
import type { WebSocket, WebSocketServer } from 'ws';

export const HEARTBEAT_MS = 15_000;

export class Heartbeat {
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakSet<WebSocket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(wss: WebSocketServer) {
    this.wss = wss;
  }

  /** a new client counts as alive until it misses a ping */
  track(ws: WebSocket): void {
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
  }

  start(intervalMs = HEARTBEAT_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  beat(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}
