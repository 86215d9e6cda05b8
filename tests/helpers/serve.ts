// Starts `serve` as a real child process (the same command a user runs) on a free port with a temp data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');

export interface Served {
  proc: ChildProcess;
  url: string;
  port: number;
  token: string;
  dataDir: string;
  output: () => string;
  api: (method: string, p: string, body?: unknown) => Promise<{ status: number; body: any }>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** the V8 flags the product launches serve with (scripts/node-flags.json), so tests and benches run it the same way */
const NODE_FLAGS: string[] = JSON.parse(fs.readFileSync(path.join(root, 'scripts/node-flags.json'), 'utf8')).node;

export function tempDir(prefix = 'livecue-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startServe(options: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; port?: number } = {}): Promise<Served> {
  const dataDir = options.dataDir ?? tempDir();
  const proc = spawn(
    process.execPath,
    [...NODE_FLAGS, path.join(root, 'electron/core/serve.ts'), '--port', String(options.port ?? 0), '--data-dir', dataDir, ...(options.args ?? [])],
    { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const ready = await new Promise<{ url: string; port: number; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 15 s:\n${out}`)), 15_000);
    const onData = () => {
      const m = /LIVECUE_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!));
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  const served: Served = {
    proc,
    dataDir,
    ...ready,
    output: () => out,
    async api(method, p, body) {
      const res = await fetch(`${ready.url.replace(/\/$/, '')}${p}`, {
        method,
        headers: { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    stop(signal = 'SIGINT') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
  return served;
}
