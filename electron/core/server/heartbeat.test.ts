// The shared WebSocket heartbeat: a client that answers pings stays, one that stops answering is terminated at the
// next beat (a real ws server and clients on loopback; beats driven by hand).
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Heartbeat } from './heartbeat.ts';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function serverWithHeartbeat() {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const heartbeat = new Heartbeat(wss);
  wss.on('connection', (ws) => heartbeat.track(ws));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => (wss.close(), server.close()) });
  return { wss, heartbeat, url: `ws://127.0.0.1:${(server.address() as { port: number }).port}` };
}

const connect = (url: string, autoPong: boolean) =>
  new Promise<WebSocket>((resolve) => {
    const ws = new WebSocket(url, { autoPong });
    ws.once('open', () => resolve(ws));
    open.push({ close: () => ws.terminate() });
  });
const settle = () => new Promise((r) => setTimeout(r, 100));

describe('Heartbeat', () => {
  it('keeps a client that answers pings and terminates one that stopped answering', async () => {
    const { wss, heartbeat, url } = await serverWithHeartbeat();
    const answers = await connect(url, true);
    const silent = await connect(url, false);
    await settle();
    expect(wss.clients.size).toBe(2);
    heartbeat.beat(); // both were alive: both pinged, only one pongs
    await settle();
    expect(wss.clients.size).toBe(2);
    heartbeat.beat(); // the silent one missed its ping
    await settle();
    expect(wss.clients.size).toBe(1);
    expect(answers.readyState).toBe(WebSocket.OPEN);
    expect(silent.readyState).toBe(WebSocket.CLOSED);
    heartbeat.beat();
    await settle();
    expect(wss.clients.size).toBe(1);
  });
});
