// The Electron shell: windows, menu, IPC binding. All logic lives in the core, which also runs without Electron.
import { app, BrowserWindow, globalShortcut, ipcMain, Menu, safeStorage, screen, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC } from '../../shared/protocol/index.ts';
import type { CoreEvent } from '../../shared/protocol/index.ts';
import { CoreError } from '../core/errors.ts';
import { startHost, type RunningHost } from '../core/host.ts';
import { FileSecretStore } from '../core/obs/secrets.ts';
import type { GlobalShortcuts } from '../../shared/desk/shortcuts.ts';
import { GlobalShortcutBinder } from './shortcuts.ts';

const appRoot = path.resolve(import.meta.dirname, '../..');
const rendererDir = path.join(appRoot, 'out', 'renderer');
const rendererIndex = path.join(rendererDir, 'index.html');
const devUrl = process.env.ELECTRON_RENDERER_URL;
const rendererOrigin = devUrl ? new URL(devUrl).origin : pathToFileURL(rendererDir).href;

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
  const url = frame.url;
  return devUrl ? url.startsWith(rendererOrigin + '/') : url.startsWith(rendererOrigin + '/');
}

function pageUrl(route: string): { file?: string; url?: string; hash: string } {
  return devUrl ? { url: `${devUrl}#${route}`, hash: route } : { file: rendererIndex, hash: route };
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
    },
  });
  win.once('ready-to-show', () => win.show());
  const target = pageUrl(route);
  if (target.url) void win.loadURL(target.url);
  else void win.loadFile(target.file!, { hash: target.hash });
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
        { role: 'toggleDevTools' },
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
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
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
  app.on('before-quit', () => void host?.stop());
}

void main();
