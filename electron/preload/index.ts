// The whole bridge between a window and the core: invoke(name, input) for allow-listed command names, and subscribe.
// Nothing else of Electron or Node reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// generated from shared/protocol at build time (see electron.vite.config.ts)
import { COMMAND_NAMES, IPC } from 'virtual:livecue-protocol-names';

const allowed = new Set<string>(COMMAND_NAMES);

contextBridge.exposeInMainWorld('livecue', {
  invoke(name: unknown, input: unknown) {
    if (typeof name !== 'string' || !allowed.has(name)) {
      return Promise.resolve({ ok: false, error: { code: 'not_found', message: `unknown command: ${String(name)}` } });
    }
    return ipcRenderer.invoke(IPC.invoke, name, input);
  },
  subscribe(listener: (event: unknown) => void) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const handler = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on(IPC.event, handler);
    ipcRenderer.send(IPC.subscribe);
    return () => {
      ipcRenderer.removeListener(IPC.event, handler);
    };
  },
});
