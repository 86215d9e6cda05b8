// `npm run channels:selfcheck -- [--url URL] [--browser PATH] [--data-dir DIR] [--headless] [--json]`
// Opens the console with LiveCue's Channels profile and prints which URLs, selectors and texts still match.
// Exit code: 0 all match, 1 drift, 2 could not check. While LiveCue runs, use the 自检 button instead (one profile, one browser).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { defaultDataDir } from '../paths.ts';
import { findBrowser } from './browser.ts';
import { defaultMapFile, loadConsoleMap } from './map.ts';
import { formatReport, runSelfCheck } from './selfcheck.ts';

const root = path.resolve(import.meta.dirname, '../../..');

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      url: { type: 'string' },
      browser: { type: 'string' },
      'data-dir': { type: 'string' },
      map: { type: 'string' },
      headless: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const map = loadConsoleMap(args.map ?? defaultMapFile(path.join(root, 'resources')), args.url);
  const executablePath = findBrowser(args.browser ?? process.env.LIVECUE_CHANNELS_BROWSER ?? null);
  if (!executablePath) {
    console.error('channels:selfcheck: 未找到 Chrome / Edge / Chromium；用 --browser 指定 / no browser found, pass --browser');
    return 2;
  }
  const profileDir = path.join(path.resolve(args['data-dir'] ?? defaultDataDir()), 'channels-profile');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: args.headless,
    args: args.headless ? ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] : [],
    locale: 'zh-CN',
  });
  try {
    const report = await runSelfCheck(context, map);
    console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await context.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`channels:selfcheck: ${error.message.split('\n')[0]}`);
    process.exit(2);
  },
);
