import type { Api } from './api.ts';
import { ipcApi } from './ipc.ts';
import { readToken, webApi } from './web.ts';

/** Chosen once at start: the Electron bridge when the preload put one there, else HTTP + WebSocket. */
export function createApi(): Api {
  if (window.livecue) return ipcApi(window.livecue);
  readToken();
  return webApi();
}

export { ApiError, type Api, type ConnectionState } from './api.ts';
