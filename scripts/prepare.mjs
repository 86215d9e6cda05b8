// After `npm install`: build the UI once so `npm run serve` shows it straight away.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

if (!fs.existsSync('node_modules/electron-vite')) {
  console.log('livecue: dev dependencies not installed, skipping the UI build');
  process.exit(0);
}
const r = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
