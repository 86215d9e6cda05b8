// Runs the built Electron main process (out/main/index.js) against the fake electron module and reports what it did.
import { register } from 'node:module';
register('./electron-hooks.mjs', import.meta.url);
const { pathToFileURL } = await import('node:url');
const path = await import('node:path');
const root = path.resolve(import.meta.dirname, '../..');
await import(pathToFileURL(path.join(root, 'out/main/index.js')).href);
const fake = globalThis.__electronFake;
for (let i = 0; i < 100 && fake.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 50));

const rendererUrl = 'app://livecue/index.html#/producer';
const frame = (url, parent = null) => ({ url, parent });
const invoke = fake.handlers.get('livecue:invoke');
const result = {
  windows: fake.windows.map((w) => ({ webPreferences: w.options.webPreferences, loaded: w.loaded, fullscreen: w.options.fullscreen, x: w.options.x })),
  trusted: await invoke({ senderFrame: frame(rendererUrl), sender: fake.windows[0].webContents }, 'products.list', {}),
  badInput: await invoke({ senderFrame: frame(rendererUrl) }, 'product.create', { title: 1 }),
  unknown: await invoke({ senderFrame: frame(rendererUrl) }, 'shell.exec', {}),
  foreignOrigin: await invoke({ senderFrame: frame('https://evil.example/#/producer') }, 'products.list', {}),
  subFrame: await invoke({ senderFrame: frame(rendererUrl, {}) }, 'products.list', {}),
  openHost: await invoke({ senderFrame: frame(rendererUrl) }, 'window.openHostDisplay', {}),
  menu: (fake.menu ?? []).flatMap((m) => (m.submenu ?? []).map((i) => i.label).filter(Boolean)),
};
fake.listeners.get('livecue:subscribe')({ senderFrame: frame(rendererUrl), sender: fake.windows[0].webContents });
result.snapshotSent = fake.sent.some((s) => s.channel === 'livecue:event' && s.payload.type === 'snapshot');
const wc = fake.windows[0].webContents;
result.windowOpen = wc.windowOpenHandler({ url: 'https://example.com/' });
let prevented = false;
wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
result.navigationBlocked = prevented;
let permission;
fake.permissionHandler(wc, 'media', (v) => (permission = v));
result.mediaPermission = permission;
result.permissionCheck = fake.permissionCheck(wc, 'media');
result.schemes = fake.schemes;
// the app:// handler: the page with its CSP, and nothing outside the built renderer
const app = fake.protocols.get('app');
const page = await app({ url: 'app://livecue/index.html' });
result.appPage = { status: page.status, csp: page.headers.get('content-security-policy'), type: page.headers.get('content-type') };
result.appEscape = (await app({ url: 'app://livecue/..%2F..%2Fpackage.json' })).status;
result.appOtherHost = (await app({ url: 'app://evil/index.html' })).status;
result.menuRoles = (fake.menu ?? []).flatMap((m) => (m.submenu ?? []).map((i) => i.role).filter(Boolean));
result.hostWindow = result.windows.length;
result.windows = fake.windows.map((w) => ({ webPreferences: w.options.webPreferences, loaded: w.loaded, fullscreen: w.options.fullscreen, x: w.options.x }));
// quitting: the app may terminate only once the core has stopped (a command at that moment finds it closed)
let atQuit;
fake.onQuit = () => (atQuit = invoke({ senderFrame: frame(rendererUrl) }, 'products.list', {}));
fake.app.quit();
result.quitHeld = fake.quitted !== true;
for (let i = 0; i < 100 && !fake.quitted; i++) await new Promise((r) => setTimeout(r, 50));
result.quitted = fake.quitted === true;
result.quitCalls = fake.quitCalls;
result.atQuit = await atQuit;
console.log('SHELL_RESULT ' + JSON.stringify(result));
fake.windows.length = 0;
process.exit(0);
