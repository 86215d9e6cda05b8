import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appCsp, resolveAppPath } from './app-protocol.ts';

describe('app:// protocol', () => {
  const dir = path.resolve('/opt/livecue/out/renderer');
  it('maps app://livecue paths into the built renderer and nothing outside it', () => {
    expect(resolveAppPath(dir, 'app://livecue/')).toBe(path.join(dir, 'index.html'));
    expect(resolveAppPath(dir, 'app://livecue/assets/index-abc.js')).toBe(path.join(dir, 'assets/index-abc.js'));
    // the URL parser folds dot segments (even %2e%2e) at the root: what is left stays inside the folder
    expect(resolveAppPath(dir, 'app://livecue/%2e%2e/%2e%2e/main/index.js')).toBe(path.join(dir, 'main/index.js'));
    expect(resolveAppPath(dir, 'app://livecue/..%2F..%2F..%2Fetc%2Fpasswd')).toBeNull();
    expect(resolveAppPath(dir, 'app://livecue/a%00.js')).toBeNull();
    expect(resolveAppPath(dir, 'app://other/index.html')).toBeNull();
    expect(resolveAppPath(dir, 'file:///etc/passwd')).toBeNull();
  });
  it('CSP: scripts from the app only; network only to this core', () => {
    const csp = appCsp(17300);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:17300 ws://127.0.0.1:17300;");
    expect(csp).not.toMatch(/connect-src[^;]*(\bws:|\bwss:|https?:)(\s|;)/);
    expect(csp).toContain("object-src 'none'");
  });
});
