// Cold start: from spawning `serve` (the product's V8 flags, an existing data folder, no demo) to ready — the start-up
// line printed, /api/v1/health answering and the first WebSocket snapshot received — beside a bare Node HTTP server
// started the same way (same node binary and flags, a TypeScript file run with type stripping, the same readiness line,
// then one health request). Alternating runs, medians. Returns { coldStart }.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { root, tempDir } from '../tests/helpers/serve.ts';

const RUNS = 7;
const NODE_FLAGS: string[] = JSON.parse(fs.readFileSync(path.join(root, 'scripts/node-flags.json'), 'utf8')).node;

/** spawns a process and resolves with the parsed LIVECUE_READY line and the ms it took */
function launch(args: string[], env: NodeJS.ProcessEnv = {}) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...NODE_FLAGS, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  const ready = new Promise<{ url: string; token?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 20 s: ${out}`)), 20_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /LIVECUE_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!));
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGINT');
    });
  return { t0, ready, stop };
}

async function health(url: string): Promise<void> {
  const res = await fetch(`${url}api/v1/health`);
  if (res.status !== 200) throw new Error(`health answered ${res.status}`);
  await res.arrayBuffer();
}

function snapshot(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}api/v1/stream?token=${token}`);
    ws.once('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string };
      ws.close();
      if (m.type === 'snapshot') resolve();
      else reject(new Error(`first message ${m.type}`));
    });
    ws.once('error', reject);
  });
}

async function serveOnce(dataDir: string): Promise<number> {
  const p = launch([path.join(root, 'electron/core/serve.ts'), '--port', '0', '--data-dir', dataDir, '--no-demo']);
  try {
    const r = await p.ready;
    await Promise.all([health(r.url), snapshot(r.url, r.token!)]);
    return performance.now() - p.t0;
  } finally {
    await p.stop();
  }
}

async function bareOnce(script: string): Promise<number> {
  const p = launch([script]);
  try {
    const r = await p.ready;
    await health(r.url);
    return performance.now() - p.t0;
  } finally {
    await p.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Record<string, unknown>> {
  const dir = tempDir('livecue-bench-cold-');
  const script = path.join(dir, 'bare.ts');
  fs.writeFileSync(
    script,
    `import http from 'node:http';
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
server.listen(0, '127.0.0.1', () => { const a = server.address() as { port: number }; console.log('LIVECUE_READY ' + JSON.stringify({ url: 'http://127.0.0.1:' + a.port + '/' })); });
process.once('SIGINT', () => server.close(() => process.exit(0)));
`,
  );
  const dataDir = path.join(dir, 'data');
  // the first start creates and migrates the data folder; a producer's every later start finds it there
  await serveOnce(dataDir);
  await bareOnce(script);
  const serve: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    serve.push(await serveOnce(dataDir));
    bare.push(await bareOnce(script));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const readyMs = Math.round(median(serve));
  const bareNodeMs = Math.round(median(bare));
  process.stderr.write(`bench coldStart: serve ready ${readyMs} ms (${serve.map(Math.round).join(', ')}), bare node ${bareNodeMs} ms (${bare.map(Math.round).join(', ')})\n`);
  return {
    coldStart: {
      readyMs,
      bareNodeMs,
      ratio: Math.round((readyMs / bareNodeMs) * 100) / 100,
      runs: RUNS,
      method: 'spawn → LIVECUE_READY line → health 200 (+ first WebSocket snapshot for serve); median of alternating runs on an existing data folder',
    },
  };
}
