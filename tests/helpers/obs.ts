// Starts a real OBS Studio headless (xvfb-run, software GL) with obs-websocket on a free port and a password, in a
// temp HOME so the user's own OBS profile is never touched. OBS reads the websocket settings from
// $HOME/.config/obs-studio/global.ini [OBSWebSocket]. Stopped with SIGINT to the whole process group (xvfb-run spawns
// Xvfb and OBS as children; OBS quits cleanly on SIGINT, not on SIGTERM), SIGKILL after a grace period.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OBSWebSocket } from 'obs-websocket-js';

export interface RealObs {
  port: number;
  password: string;
  url: string;
  home: string;
  /** ms from spawn to the websocket accepting an identified client */
  startMs: number;
  log: () => string;
  /** SIGINT, wait; SIGKILL the group after graceMs */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL the whole group at once (a crash) */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT the group: a hung OBS whose socket stays open (a dead peer); resolves once every process stopped */
  pause(): Promise<void>;
  resume(): void;
}

export function obsAvailable(): boolean {
  const obs = spawnSync('sh', ['-c', 'command -v obs && command -v xvfb-run'], { encoding: 'utf8' });
  return obs.status === 0;
}

/** Loud, so a skipped real-OBS run is never mistaken for a pass. */
export function skipBanner(what: string): string {
  const line = '!'.repeat(100);
  const text = `${line}\n!! SKIP ${what}: the \`obs\` and \`xvfb-run\` binaries are not installed (apt-get install obs-studio xvfb)\n${line}`;
  console.warn(text);
  return text;
}

/** states (R, S, T …) of the processes in a process group, from /proc (Linux) */
function groupStates(pgid: number): string[] {
  const states: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) states.push(fields[0]!);
    } catch {
      /* exited meanwhile */
    }
  }
  return states;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function writeConfig(home: string, port: number, password: string): void {
  const dir = path.join(home, '.config', 'obs-studio');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'global.ini'),
    [
      '[General]',
      'FirstRun=true',
      '',
      '[BasicWindow]',
      'SysTrayMinimizeToTray=true',
      '',
      '[OBSWebSocket]',
      'FirstLoad=false',
      'ServerEnabled=true',
      `ServerPort=${port}`,
      'AlertsEnabled=false',
      'AuthRequired=true',
      `ServerPassword=${password}`,
      '',
    ].join('\n'),
  );
}

/** Waits until the websocket identifies a client with the password (the port opens a moment before OBS is ready). */
async function waitReady(url: string, password: string, proc: ChildProcess, deadline: number, log: () => string): Promise<void> {
  let lastError = '';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`OBS exited (${proc.exitCode ?? proc.signalCode}) while starting:\n${log().slice(-3000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) {
      const ws = new OBSWebSocket();
      try {
        await ws.connect(url, password);
        await ws.call('GetVersion');
        await ws.disconnect();
        return;
      } catch (error) {
        lastError = (error as Error).message;
        await ws.disconnect().catch(() => {});
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`OBS websocket not ready in time (${lastError}):\n${log().slice(-3000)}`);
}

export async function startObs(options: { port?: number; password?: string; home?: string; timeoutMs?: number } = {}): Promise<RealObs> {
  const port = options.port ?? (await freePort());
  const password = options.password ?? `pw-${Math.random().toString(36).slice(2, 12)}`;
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'livecue-obs-'));
  writeConfig(home, port, password);
  const url = `ws://127.0.0.1:${port}`;
  const started = Date.now();
  const proc = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x720x24', 'obs', '--minimize-to-tray', '--multi', '--disable-updater'], {
    env: { ...process.env, HOME: home, LIBGL_ALWAYS_SOFTWARE: '1', XDG_CONFIG_HOME: path.join(home, '.config'), QT_QPA_PLATFORM: 'xcb' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: we signal xvfb-run, Xvfb and OBS together
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal);
    } catch {
      /* gone already */
    }
  };
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const obs: RealObs = {
    port,
    password,
    url,
    home,
    startMs: 0,
    log: () => out,
    async stop(graceMs = 8000) {
      if (!alive()) return;
      group('SIGINT');
      const timer = setTimeout(() => group('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      group('SIGKILL'); // whatever xvfb-run left behind
    },
    async kill() {
      if (!alive()) return;
      group('SIGKILL');
      await exited;
    },
    async pause() {
      group('SIGSTOP');
      // signals land asynchronously: wait until /proc shows every process of the group stopped (state T)
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && groupStates(proc.pid!).some((st) => st !== 'T' && st !== 't')) await new Promise((r) => setTimeout(r, 10));
    },
    resume: () => group('SIGCONT'),
  };
  try {
    await waitReady(url, password, proc, started + (options.timeoutMs ?? 60_000), () => out);
  } catch (error) {
    await obs.kill();
    throw error;
  }
  obs.startMs = Date.now() - started;
  return obs;
}
