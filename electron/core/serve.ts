// `npm run serve -- --port N --data-dir DIR [--host H]`: the core headless, with the UI for browsers and LAN screens.
import fs from 'node:fs';
import { enableCompileCache } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunningHost } from './host.ts';
import { defaultDataDir } from './paths.ts';

// Cold start: Node's on-disk compile cache keeps the type-stripped source and V8 code of every module after the first
// start (Node ≥ 22.1; TypeScript included since nodejs/node#56629), so the core's ~80 files are not stripped and compiled
// again on every start (measured by bench/cold-start.ts). NODE_COMPILE_CACHE=dir moves it, NODE_DISABLE_COMPILE_CACHE=1
// turns it off (https://nodejs.org/api/module.html#module-compile-cache). The core is imported after it is enabled.
enableCompileCache?.();
const { startHost } = await import('./host.ts');

const root = path.resolve(import.meta.dirname, '../..');

function main(): void {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: process.env.LIVECUE_PORT ?? '17300' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        obs: { type: 'string' },
        'channels-url': { type: 'string' },
        'channels-browser': { type: 'string' },
        'no-demo': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`livecue serve: ${(error as Error).message}`);
    process.exit(2);
  }
  if (args.help) {
    console.log('usage: npm run serve -- [--port 17300] [--data-dir DIR] [--host 127.0.0.1] [--obs ws://127.0.0.1:4455] [--channels-url URL] [--channels-browser PATH] [--no-demo]');
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`livecue serve: --port must be 0..65535, got ${args.port}`);
    process.exit(2);
  }
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  // signal handlers first: a Ctrl+C during start-up still closes the database cleanly
  let running: Promise<RunningHost | null> = Promise.resolve(null);
  const stop = (signal: string) => {
    console.log(`livecue: ${signal}, closing`);
    void running.then(async (host) => {
      await host?.stop();
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  running = startHost({
    dataDir: path.resolve(args['data-dir'] ?? defaultDataDir()),
    resourcesDir: path.join(root, 'resources'),
    rendererDir: path.join(root, 'out', 'renderer'),
    version,
    port,
    host: args.host,
    seedDemo: !args['no-demo'],
    token: process.env.LIVECUE_TOKEN || undefined,
    moduleEnv: { env: process.env, options: { obs: args.obs, 'channels-url': args['channels-url'], 'channels-browser': args['channels-browser'] } },
  }).catch((error: Error) => {
    console.error(`livecue: ${error.message}`);
    process.exit(1);
  });
}

main();
