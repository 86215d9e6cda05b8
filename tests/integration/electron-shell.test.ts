// The Electron shell, without Electron: the built main bundle runs against a recording stand-in for the `electron`
// module, so the security settings and the IPC gate are checked for real (the Electron binary cannot be fetched here).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { root, tempDir } from '../helpers/serve.ts';

describe('Electron shell (built bundle, stand-in electron module)', () => {
  it('is built (npm test builds first; run `npm run build` when calling vitest alone)', () => {
    expect(fs.existsSync(path.join(root, 'out/main/index.js'))).toBe(true);
  });

  it('windows are sandboxed and isolated; IPC answers only our own top frame; navigation and new windows denied', () => {
    const data = tempDir();
    const r = spawnSync(process.execPath, [path.join(root, 'tests/fakes/run-shell.mjs'), '--port', '0'], {
      cwd: root,
      env: { ...process.env, FAKE_ELECTRON_USERDATA: data },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('SHELL_RESULT '));
    expect(line, r.stdout + r.stderr).toBeTruthy();
    const res = JSON.parse(line!.slice('SHELL_RESULT '.length));
    const prefs = res.windows[0].webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.preload).toMatch(/out[\\/]preload[\\/]index\.cjs$/);
    // pages come from app://livecue (not file://), with a CSP whose network reaches only this window's core
    expect(res.windows[0].loaded.url).toBe('app://livecue/index.html#/producer');
    expect(res.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(res.appPage.status).toBe(200);
    expect(res.appPage.type).toMatch(/text\/html/);
    expect(res.appPage.csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+ ws:\/\/127\.0\.0\.1:\d+;/);
    expect(res.appPage.csp).not.toMatch(/connect-src[^;]*\b(ws|wss|https?):(\s|;)/);
    expect(res.appEscape).toBe(404);
    expect(res.appOtherHost).toBe(404);
    expect(res.permissionCheck).toBe(false);
    // a development build (not packaged) keeps DevTools
    expect(res.menuRoles).toContain('toggleDevTools');
    expect(res.trusted.ok).toBe(true);
    expect(res.trusted.value.length).toBe(10); // the demo catalog, from the data folder under userData
    expect(res.badInput).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(res.unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(res.foreignOrigin).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(res.subFrame).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(res.snapshotSent).toBe(true);
    expect(res.windowOpen).toEqual({ action: 'deny' });
    expect(res.navigationBlocked).toBe(true);
    expect(res.mediaPermission).toBe(false);
    // the host display opened full screen on the second display
    expect(res.openHost).toEqual({ ok: true, value: { opened: true } });
    const hostWin = res.windows.find((w: any) => w.loaded?.url?.endsWith('#/host'));
    expect(hostWin).toMatchObject({ fullscreen: true, x: 1920 });
    expect(res.menu.join(' ')).toMatch(/主播大屏/);
    expect(fs.existsSync(path.join(data, 'userData', 'data', 'livecue.sqlite'))).toBe(true);
    // quit waits for host.stop(): held at first, then terminates with the core already closed (503 `unavailable`)
    expect(res.quitHeld).toBe(true);
    expect(res.quitted).toBe(true);
    expect(res.quitCalls).toBe(2);
    expect(res.atQuit).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('a packaged build: no DevTools, and the dev-server address from the environment is ignored', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'tests/fakes/run-shell.mjs'), '--port', '0'], {
      cwd: root,
      env: { ...process.env, FAKE_ELECTRON_USERDATA: tempDir(), FAKE_ELECTRON_PACKAGED: '1', ELECTRON_RENDERER_URL: 'http://evil.example:5173' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('SHELL_RESULT '));
    expect(line, r.stdout + r.stderr).toBeTruthy();
    const res = JSON.parse(line!.slice('SHELL_RESULT '.length));
    expect(res.windows[0].webPreferences.devTools).toBe(false);
    expect(res.windows[0].loaded.url).toBe('app://livecue/index.html#/producer');
    expect(res.menuRoles).not.toContain('toggleDevTools');
    expect(res.foreignOrigin).toMatchObject({ ok: false });
  });

  it('the preload exposes only invoke and subscribe, and drops unknown command names before IPC', async () => {
    const code = fs.readFileSync(path.join(root, 'out/preload/index.cjs'), 'utf8');
    expect(code.length).toBeLessThan(8000); // no schema library in the preload
    const exposed = new Map<string, any>();
    let invokes = 0;
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.set(k, v) },
      ipcRenderer: {
        invoke: (...args: unknown[]) => (invokes++, Promise.resolve({ ok: true, value: args })),
        on: () => {},
        send: () => {},
        removeListener: () => {},
      },
    };
    vm.runInNewContext(code, { require: (m: string) => (m === 'electron' ? fakeElectron : undefined), Promise, Set, TypeError, String });
    const api = exposed.get('livecue');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'subscribe']);
    const ok = await api.invoke('session.pin', { sessionId: 1 });
    expect(ok.value).toEqual(['livecue:invoke', 'session.pin', { sessionId: 1 }]);
    const refused = await api.invoke('fs.readFile', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(invokes).toBe(1);
  });
});
