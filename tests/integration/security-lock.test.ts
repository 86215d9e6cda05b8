// Issue 14 finding 7: two instances on one data folder both started, each dashboard counting half. Now the second one
// names the process holding the folder and exits; after the holder is killed (-9) the folder is free at once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core.ts';
import { DataDirLockedError } from '../../electron/core/store/lock.ts';
import { root, startServe, tempDir } from '../helpers/serve.ts';

const NODE_FLAGS: string[] = JSON.parse(fs.readFileSync(path.join(root, 'scripts/node-flags.json'), 'utf8')).node;

function runServe(dataDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'electron/core/serve.ts'), '--port', '0', '--data-dir', dataDir, '--no-demo'], { cwd: root });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('one process per data folder', () => {
  it('a second serve on the same folder names the holder and exits; after kill -9 the folder is free', async () => {
    const dataDir = tempDir();
    const first = await startServe({ dataDir, args: ['--no-demo'] });
    const second = await runServe(dataDir);
    expect(second.code).toBe(1);
    expect(second.out).toContain(`process ${first.proc.pid}`);
    expect(second.out).toMatch(/数据目录已被占用/);
    // the first is untouched
    expect((await first.api('GET', '/api/v1/health')).status).toBe(200);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    const third = await startServe({ dataDir, args: ['--no-demo'] });
    expect((await third.api('GET', '/api/v1/snapshot')).status).toBe(200);
    await third.stop();
  }, 60_000);

  it('in one process too: a second Core on a held folder is refused until the first closes', () => {
    const dataDir = tempDir();
    const make = () => new Core({ dataDir, resourcesDir: path.join(root, 'resources'), version: 'test', seedDemo: false, log: () => {} });
    const a = make();
    expect(make).toThrow(DataDirLockedError);
    a.close();
    const b = make();
    b.close();
  });
});
