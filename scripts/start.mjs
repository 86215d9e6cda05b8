// `npm start`: build, then launch the Electron app. Where Electron cannot launch (binary missing, no display), say why in
// one line and serve the same UI in browser mode instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
/** V8 flags for the long-running core (see scripts/node-flags.json) */
const nodeFlags = JSON.parse(fs.readFileSync(path.join(root, 'scripts/node-flags.json'), 'utf8')).node;

console.log('livecue: 构建界面 building the UI…');
const build = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('livecue: 构建失败 / the UI build failed (see above)');
  process.exit(build.status ?? 1);
}

/** Why Electron cannot run here, or null when it can. Never triggers electron's own download (no network here). */
function electronBlocker() {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!fs.existsSync(dir)) return 'the electron package is not installed';
  const pathFile = path.join(dir, 'path.txt');
  const binary = fs.existsSync(pathFile) ? path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()) : null;
  if (!binary || !fs.existsSync(binary)) {
    return 'the Electron binary was never downloaded (npm blocks its install script; run `npm run electron:install` where its release host is reachable)';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
  return null;
}

function serveInstead(reason) {
  console.log(`livecue: Electron 无法启动，改用浏览器模式 / Electron cannot start: ${reason} — serving the same UI in browser mode instead.`);
  const child = spawn(process.execPath, [...nodeFlags, path.join(root, 'electron/core/serve.ts'), ...args], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const blocker = electronBlocker();
if (blocker) {
  serveInstead(blocker);
} else {
  const dir = path.join(root, 'node_modules', 'electron');
  const binary = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim());
  const started = Date.now();
  let stderr = '';
  const app = spawn(binary, [`--js-flags=${nodeFlags.join(' ')}`, root, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
  app.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  app.on('error', (error) => serveInstead(error.message));
  app.on('exit', (code, signal) => {
    // a crash in the first seconds is a launch failure (missing libraries, GPU, sandbox): fall back rather than leave nothing
    if (code !== 0 && Date.now() - started < 8000) {
      const last = stderr.trim().split('\n').at(-1) ?? `exit code ${code ?? signal}`;
      serveInstead(`it exited at start-up (${last.slice(0, 200)})`);
    } else process.exit(code ?? 0);
  });
}
