// A protocol-level obs-websocket v5 server (msgpack subprotocol, no auth) for what the real Debian OBS cannot do here:
// a build with browser_source, requests that never get an answer. Handlers answer by request type; unknown → 204.
import { decode, encode } from '@msgpack/msgpack';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

type Handler = (data: Record<string, unknown>) => Record<string, unknown> | 'hang' | { error: number; comment: string };

export interface FakeObs {
  url: string;
  requests: { requestType: string; requestData: Record<string, unknown> }[];
  handlers: Record<string, Handler>;
  /** sends an OBS event (op 5) to every connected client */
  event(eventType: string, eventData: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function startFakeObs(handlers: Record<string, Handler> = {}): Promise<FakeObs> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (protocols) => (protocols.has('obswebsocket.msgpack') ? 'obswebsocket.msgpack' : false) });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const fake: FakeObs = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    requests: [],
    handlers: {
      GetVersion: () => ({ obsVersion: '31.0.0', obsWebSocketVersion: '5.5.0', rpcVersion: 1, availableRequests: [] }),
      GetInputKindList: () => ({ inputKinds: ['browser_source', 'text_gdiplus_v3', 'image_source'] }),
      GetSceneList: () => ({ currentProgramSceneName: 'Main', currentPreviewSceneName: null, scenes: [{ sceneName: 'Main', sceneIndex: 0 }] }),
      GetStreamStatus: () => ({ outputActive: false, outputBytes: 0, outputSkippedFrames: 0, outputTotalFrames: 0, outputTimecode: '00:00:00.000', outputCongestion: 0 }),
      GetRecordStatus: () => ({ outputActive: false, outputTimecode: '00:00:00.000' }),
      GetInputList: () => ({ inputs: [] }),
      CreateInput: () => ({ inputUuid: 'x', sceneItemId: 1 }),
      ...handlers,
    },
    event(eventType, eventData) {
      for (const c of wss.clients) c.send(encode({ op: 5, d: { eventType, eventIntent: 64, eventData } }));
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
  const send = (ws: WebSocket, op: number, d: unknown) => ws.send(encode({ op, d }));
  const answer = (requestType: string, requestData: Record<string, unknown>) => {
    fake.requests.push({ requestType, requestData });
    const h = fake.handlers[requestType];
    const out = h ? h(requestData) : {};
    if (out === 'hang') return 'hang' as const;
    if ('error' in out && typeof out.error === 'number') {
      return { requestType, requestStatus: { result: false, code: out.error, comment: String(out.comment) } };
    }
    return { requestType, requestStatus: { result: true, code: 100 }, responseData: out };
  };
  wss.on('connection', (ws) => {
    send(ws, 0, { obsWebSocketVersion: '5.5.0', rpcVersion: 1 });
    ws.on('message', (raw: Buffer) => {
      const { op, d } = decode(raw) as { op: number; d: Record<string, unknown> };
      if (op === 1) send(ws, 2, { negotiatedRpcVersion: 1 });
      else if (op === 6) {
        const r = answer(String(d.requestType), (d.requestData as Record<string, unknown>) ?? {});
        if (r !== 'hang') send(ws, 7, { requestId: d.requestId, ...r });
      } else if (op === 8) {
        const results = [];
        for (const q of d.requests as { requestType: string; requestData?: Record<string, unknown> }[]) {
          const r = answer(q.requestType, q.requestData ?? {});
          if (r === 'hang') return;
          results.push(r);
        }
        send(ws, 9, { requestId: d.requestId, results });
      }
    });
  });
  return fake;
}
