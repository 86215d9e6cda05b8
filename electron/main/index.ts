// The Electron shell: windows, menu, IPC binding. All logic lives in the core, which also runs without Electron.
import { app, BrowserWindow, globalShortcut, ipcMain, Menu, protocol, safeStorage, screen, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { APP_ORIGIN, APP_SCHEME, appCsp, mimeOf, resolveAppPath } from './app-protocol.ts';
import { IPC } from '../../shared/protocol/index.ts';
import type { CoreEvent } from '../../shared/protocol/index.ts';
import { CoreError } from '../core/errors.ts';
import { startHost, type RunningHost } from '../core/host.ts';
import { FileSecretStore } from '../core/secrets.ts';
import type { GlobalShortcuts } from '../../shared/desk/shortcuts.ts';
import { GlobalShortcutBinder } from './shortcuts.ts';

const appRoot = path.resolve(import.meta.dirname, '../..');
const rendererDir = path.join(appRoot, 'out', 'renderer');
// the dev server's address is trusted only in a development build; a packaged app ignores the variable
const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const rendererOrigin = devUrl ? new URL(devUrl).origin : APP_ORIGIN;
const devTools = !app.isPackaged;

// app:// must be registered as a standard, secure scheme before the app is ready (Electron docs, protocol.registerSchemesAsPrivileged)
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

let host: RunningHost | undefined;
let producerWindow: BrowserWindow | null = null;
let hostWindow: BrowserWindow | null = null;
const subscribers = new Set<WebContents>();

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Only our own page, in a window we created, may call the core. */
function trustedSender(frame: Electron.WebFrameMain | null): boolean {
  if (!frame || frame.parent !== null) return false;
  // rendererOrigin is the dev server's origin or the file:// URL of out/renderer: the same prefix test for both
  return frame.url.startsWith(rendererOrigin + '/');
}

function pageUrl(route: string): string {
  return devUrl ? `${devUrl}#${route}` : `${APP_ORIGIN}/index.html#${route}`;
}

/** Serves the built renderer under app://livecue with the CSP (network only to this window's core). */
function serveApp(): void {
  protocol.handle(APP_SCHEME, (request) => {
    const file = resolveAppPath(rendererDir, request.url);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return new Response('not found', { status: 404 });
    return new Response(fs.readFileSync(file), {
      headers: { 'content-type': mimeOf(file), 'content-security-policy': appCsp(host?.server.address.port ?? 17300), 'x-content-type-options': 'nosniff' },
    });
  });
}

function createWindow(route: string, options: Electron.BrowserWindowConstructorOptions): BrowserWindow {
  const win = new BrowserWindow({
    backgroundColor: '#0d1014',
    show: false,
    ...options,
    webPreferences: {
      preload: path.join(appRoot, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(pageUrl(route));
  return win;
}

function openHostDisplay(): void {
  if (hostWindow && !hostWindow.isDestroyed()) {
    hostWindow.focus();
    return;
  }
  // the host's big screen: the first display that is not the producer's, full screen
  const primary = screen.getPrimaryDisplay();
  const other = screen.getAllDisplays().find((d) => d.id !== primary.id);
  const bounds = (other ?? primary).bounds;
  hostWindow = createWindow('/host', {
    title: 'LiveCue 主播大屏 Host display',
    x: bounds.x,
    y: bounds.y,
    width: other ? bounds.width : 1280,
    height: other ? bounds.height : 720,
    fullscreen: Boolean(other),
  });
  hostWindow.on('closed', () => (hostWindow = null));
}

function buildMenu(): void {
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: '窗口 Window',
      submenu: [
        { label: '主播大屏 Host display', accelerator: 'CmdOrCtrl+Shift+H', click: openHostDisplay },
        { label: '设置 Settings', accelerator: 'CmdOrCtrl+,', click: () => producerWindow?.webContents.executeJavaScript("location.hash='#/settings'") },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { role: 'reload' },
        // DevTools only in a development build
        ...(devTools ? [{ role: 'toggleDevTools' as const }] : []),
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function bindIpc(running: RunningHost): void {
  ipcMain.handle(IPC.invoke, async (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    if (!trustedSender(event.senderFrame)) return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } };
    try {
      return { ok: true, value: await running.core.invoke(name, input) };
    } catch (error) {
      const e = error instanceof CoreError ? error : new CoreError('internal', '内部错误 / internal error');
      return { ok: false, error: { code: e.code, message: e.message, details: e.details } };
    }
  });
  ipcMain.on(IPC.subscribe, (event) => {
    if (!trustedSender(event.senderFrame)) return;
    const wc = event.sender;
    if (!subscribers.has(wc)) {
      subscribers.add(wc);
      wc.once('destroyed', () => subscribers.delete(wc));
    }
    wc.send(IPC.event, { type: 'snapshot', snapshot: running.core.snapshot() } satisfies CoreEvent);
  });
  running.core.subscribe((event) => {
    for (const wc of subscribers) if (!wc.isDestroyed()) wc.send(IPC.event, event);
  });
}

function harden(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(rendererOrigin + '/')) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  // deny by default: camera, microphone, geolocation, notifications, MIDI, HID … none is asked for; copying text is
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permission === 'clipboard-sanitized-write');
}

/** Global shortcuts (#13, off by default, Settings): act on the live session while another app has focus. */
function bindGlobalShortcuts(running: RunningHost): void {
  const core = running.core;
  const binder = new GlobalShortcutBinder(globalShortcut, (action) => {
    const sessionId = core.currentSessionId();
    if (sessionId === null || core.sessions.summary(sessionId).status !== 'live') return;
    core.invoke(action === 'next' ? 'session.next' : 'session.unpin', { sessionId }).catch((error: Error) => core.log(`global shortcut ${action}: ${error.message}`));
  });
  const apply = (config: GlobalShortcuts) => {
    const { failed } = binder.apply(config);
    for (const f of failed) core.log(`global shortcut ${f.action} (${f.accelerator}) not registered: ${f.reason}`);
  };
  void core.invoke('shortcuts.get', {}).then((c) => apply(c as GlobalShortcuts));
  core.subscribe((event) => {
    if (event.type === 'shortcuts.changed') apply(event.shortcuts);
  });
  app.on('will-quit', () => binder.clear());
}

async function main(): Promise<void> {
  await app.whenReady();
  harden();
  serveApp();
  const dataDir = path.resolve(argValue('--data-dir') ?? process.env.LIVECUE_DATA_DIR ?? path.join(app.getPath('userData'), 'data'));
  const version = (JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;
  try {
    host = await startHost({
      dataDir,
      resourcesDir: path.join(appRoot, 'resources'),
      rendererDir,
      version,
      port: Number(argValue('--port') ?? process.env.LIVECUE_PORT ?? 17300),
      host: argValue('--host'),
      token: process.env.LIVECUE_TOKEN || undefined,
      // the OBS password sealed by the OS keychain (safeStorage) when it is available, else the 0600 file as in serve
      moduleEnv: {
        secrets: safeStorage.isEncryptionAvailable()
          ? new FileSecretStore(dataDir, {
              kind: 'safeStorage',
              encode: (plain) => 'ss:' + safeStorage.encryptString(plain).toString('base64'),
              decode: (stored) => (stored.startsWith('ss:') ? safeStorage.decryptString(Buffer.from(stored.slice(3), 'base64')) : stored),
            })
          : undefined,
      },
    });
  } catch (error) {
    const { dialog } = await import('electron');
    dialog.showErrorBox('LiveCue 无法启动 / cannot start', (error as Error).message);
    app.exit(1);
    return;
  }
  bindIpc(host);
  host.core.handle('window.openHostDisplay', () => {
    openHostDisplay();
    return { opened: true };
  });
  buildMenu();
  bindGlobalShortcuts(host);
  producerWindow = createWindow('/producer', { title: 'LiveCue 直播中控台', width: 1440, height: 900 });
  producerWindow.on('closed', () => (producerWindow = null));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', holdQuitUntilStopped);
}

/** Electron's `before-quit`: "Calling event.preventDefault() will prevent the default behavior, which is terminating
 * the application" (https://www.electronjs.org/docs/latest/api/app#event-before-quit). The quit waits for the core to
 * stop (in-flight pushes settle as sent/failed instead of coming back as unknown, SQLite closes), then goes on. */
let stopping: Promise<void> | null = null;
function holdQuitUntilStopped(event: Electron.Event): void {
  const running = host;
  if (!running) return; // stopped: let the quit proceed
  event.preventDefault();
  stopping ??= running
    .stop()
    .catch((error: unknown) => console.error(`livecue: stop failed: ${(error as Error).message}`))
    .finally(() => {
      host = undefined;
      app.quit();
    });
}

// one desktop app at a time (the data folder's own lock, store/lock.ts, also stops a serve on the same folder): a second
// start focuses the running window and quits
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!producerWindow || producerWindow.isDestroyed()) return;
    if (producerWindow.isMinimized()) producerWindow.restore();
    producerWindow.focus();
  });
  void main();
}
