// `npm run serve` as a user runs it: start-up time, LAN sharing switch, token from the environment.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, startServe } from '../helpers/serve.ts';

describe('serve mode', () => {
  it('every launcher runs the core with the same V8 flags (npm run serve, npm start, tests)', async () => {
    const flags: string[] = JSON.parse(fs.readFileSync(path.join(root, 'scripts/node-flags.json'), 'utf8')).node;
    expect(flags.length).toBeGreaterThan(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.serve).toBe(`node ${flags.join(' ')} electron/core/serve.ts`);
    // the running serve child really has them
    const s = await startServe({ env: { LIVECUE_DEBUG_MEMORY: '1' } });
    try {
      const mem = await s.api('GET', '/api/v1/debug/memory');
      expect(mem.status).toBe(200);
      expect(mem.body.execArgv).toEqual(expect.arrayContaining(flags));
    } finally {
      await s.stop();
    }
  });

  it('answers /api/v1/health within 5 s of being launched', async () => {
    const t0 = performance.now();
    const s = await startServe();
    let healthy = false;
    while (!healthy && performance.now() - t0 < 5000) {
      healthy = (await fetch(`${s.url}api/v1/health`).catch(() => null))?.ok ?? false;
    }
    const ms = performance.now() - t0;
    await s.stop();
    console.log(`serve: healthy ${Math.round(ms)} ms after launch`);
    expect(healthy).toBe(true);
    expect(ms).toBeLessThan(5000);
  });

  it('LIVECUE_TOKEN fixes the token; the demo catalog is there on first start', async () => {
    const s = await startServe({ env: { LIVECUE_TOKEN: 'script-token-123' } });
    try {
      expect(s.token).toBe('script-token-123');
      const products = await s.api('GET', '/api/v1/products');
      expect(products.body.length).toBe(10);
      const sessions = await s.api('GET', '/api/v1/sessions');
      expect(sessions.body).toHaveLength(1);
      expect(sessions.body[0].lineupCount).toBe(10);
    } finally {
      await s.stop();
    }
  });

  it('LAN sharing moves the listener to all interfaces and back, and the host URL carries a QR code', async () => {
    const s = await startServe({ args: ['--no-demo'] });
    try {
      const before = await s.api('POST', '/api/v1/invoke/server.info', {});
      expect(before.body).toMatchObject({ lanSharing: false, host: '127.0.0.1' });
      expect(before.body.hostDisplayUrls.at(-1)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=.+#\/host$/);
      expect(before.body.hostDisplayQrSvg).toMatch(/^<svg/);
      const on = await s.api('POST', '/api/v1/invoke/server.setLanSharing', { enabled: true });
      expect(on.body).toMatchObject({ lanSharing: true, host: '0.0.0.0' });
      // still reachable on loopback (through the new listener) after the switch
      expect((await fetch(`${s.url}api/v1/health`)).ok).toBe(true);
      const off = await s.api('POST', '/api/v1/invoke/server.setLanSharing', { enabled: false });
      expect(off.body).toMatchObject({ lanSharing: false, host: '127.0.0.1' });
      expect((await fetch(`${s.url}api/v1/health`)).ok).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('a second serve on the same port says the port is taken, clearly', async () => {
    const s = await startServe({ args: ['--no-demo'] });
    try {
      await expect(startServe({ port: s.port, args: ['--no-demo'] })).rejects.toThrow(/port \d+ is already in use/);
    } finally {
      await s.stop();
    }
  });

  it('SIGINT closes cleanly with exit code 0', async () => {
    const s = await startServe({ args: ['--no-demo'] });
    expect(await s.stop('SIGINT')).toBe(0);
  });
});
