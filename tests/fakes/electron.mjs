// A stand-in for the `electron` module (its binary cannot be downloaded here): records what the shell asks of Electron,
// so tests can check windows' security options and drive IPC as a renderer would.
import { EventEmitter } from 'node:events';

export const recorded = { windows: [], handlers: new Map(), listeners: new Map(), exposed: new Map(), sent: [], menu: null, protocols: new Map(), shortcuts: new Map() };
globalThis.__electronFake = recorded;

const appEvents = new EventEmitter();
export const app = (recorded.app = {
  isPackaged: process.env.FAKE_ELECTRON_PACKAGED === '1',
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  getPath: (name) => `${process.env.FAKE_ELECTRON_USERDATA ?? '/tmp'}/${name}`,
  on: (e, f) => appEvents.on(e, f),
  // as Electron's app.quit(): `before-quit` first, whose preventDefault() cancels the quit; else the app terminates
  // (https://www.electronjs.org/docs/latest/api/app#appquit). `recorded.onQuit` sees the moment it would terminate.
  quit: () => {
    let prevented = false;
    appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
    recorded.quitCalls = (recorded.quitCalls ?? 0) + 1;
    if (prevented) return;
    recorded.quitted = true;
    recorded.onQuit?.();
    appEvents.emit('will-quit', { preventDefault: () => {} });
    appEvents.emit('quit');
  },
  exit: (code) => (recorded.exitCode = code),
  emit: (...a) => appEvents.emit(...a),
});

let nextId = 1;
class WebContents extends EventEmitter {
  constructor(win) {
    super();
    this.id = nextId++;
    this.win = win;
    this.destroyed = false;
  }
  send(channel, payload) {
    recorded.sent.push({ id: this.id, channel, payload });
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
  executeJavaScript() {
    return Promise.resolve();
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents(this);
    recorded.windows.push(this);
    appEvents.emit('web-contents-created', {}, this.webContents);
  }
  loadFile(file, opts) {
    this.loaded = { file, hash: opts?.hash };
    return Promise.resolve();
  }
  loadURL(url) {
    this.loaded = { url };
    return Promise.resolve();
  }
  show() {}
  focus() {}
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return false;
  }
}

export const ipcMain = {
  handle: (channel, fn) => recorded.handlers.set(channel, fn),
  on: (channel, fn) => recorded.listeners.set(channel, fn),
};
export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu: (m) => (recorded.menu = m) };
export const screen = {
  getPrimaryDisplay: () => ({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }),
  getAllDisplays: () => [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
    { id: 2, bounds: { x: 1920, y: 0, width: 3840, height: 2160 } },
  ],
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (fn) => (recorded.permissionHandler = fn),
    setPermissionCheckHandler: (fn) => (recorded.permissionCheck = fn),
  },
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => (recorded.schemes = schemes),
  handle: (scheme, fn) => recorded.protocols.set(scheme, fn),
};
export const shell = { openExternal: (url) => (recorded.openedExternal = url) };
export const dialog = { showErrorBox: (title, message) => (recorded.errorBox = { title, message }) };
export const contextBridge = { exposeInMainWorld: (key, api) => recorded.exposed.set(key, api) };
export const ipcRenderer = {
  invoke: (channel, ...args) => {
    recorded.rendererInvokes = (recorded.rendererInvokes ?? 0) + 1;
    return Promise.resolve({ ok: true, value: { channel, args } });
  },
  on: () => {},
  send: () => {},
  removeListener: () => {},
};
export const safeStorage = { isEncryptionAvailable: () => false, encryptString: (s) => Buffer.from(s), decryptString: (b) => b.toString() };
// globalShortcut.register returns false when the accelerator is taken (https://www.electronjs.org/docs/latest/api/global-shortcut)
export const globalShortcut = {
  register: (acc, cb) => (recorded.shortcuts.has(acc) ? false : (recorded.shortcuts.set(acc, cb), true)),
  unregister: (acc) => void recorded.shortcuts.delete(acc),
};
export default { app, BrowserWindow, ipcMain, Menu, protocol, screen, session, shell, dialog, contextBridge, ipcRenderer, safeStorage, globalShortcut };
