// Browser mode and LAN screens: commands over HTTP (bearer token), events over one WebSocket that reconnects with backoff.
import type { CommandName, CoreEvent } from '../../../shared/protocol/index.ts';
import { type Api, ApiError } from './api.ts';

const TOKEN_KEY = 'livecue.token';

/** Takes ?token= from the address (then hides it), else the one remembered on this device. */
export function readToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return localStorage.getItem(TOKEN_KEY);
}

/** the token this device uses, for URLs a header cannot go with (a <video> src) */
export function storedToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token.trim());
}

export function webApi(base = location.origin): Api {
  const token = () => localStorage.getItem(TOKEN_KEY) ?? '';
  return {
    carrier: 'web',
    async invoke(name: CommandName, input: unknown) {
      const res = await fetch(`${base}/api/v1/invoke/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
        body: JSON.stringify(input ?? {}),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new ApiError(body?.error ?? { code: 'internal', message: `HTTP ${res.status}` });
      return body as never;
    },
    subscribe(onEvent, onState) {
      let ws: WebSocket | null = null;
      let stopped = false;
      let attempt = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const connect = () => {
        onState('connecting');
        const wsUrl = `${base.replace(/^http/, 'ws')}/api/v1/stream?token=${encodeURIComponent(token())}`;
        ws = new WebSocket(wsUrl);
        let opened = false;
        ws.onopen = () => {
          opened = true;
          attempt = 0;
          onState('online');
        };
        ws.onmessage = (m) => onEvent(JSON.parse(String(m.data)) as CoreEvent);
        ws.onclose = async () => {
          if (stopped) return;
          if (!opened) {
            // a refused upgrade looks like a plain close: ask the API whether the token is the problem
            const probe = await fetch(`${base}/api/v1/snapshot`, { headers: { authorization: `Bearer ${token()}` } }).catch(() => null);
            if (probe?.status === 401) {
              onState('unauthorized');
              return;
            }
          }
          onState('offline');
          // full-jitter backoff, 0.25 s … 5 s: a second screen must come back quickly after a Wi-Fi blip
          const delay = Math.random() * Math.min(5000, 250 * 2 ** attempt++);
          timer = setTimeout(connect, delay);
        };
      };
      connect();
      return () => {
        stopped = true;
        clearTimeout(timer);
        ws?.close();
      };
    },
  };
}
