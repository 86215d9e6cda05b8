// Finds the user's own Chrome / Edge / Chromium. LiveCue never downloads a browser: the console is driven in the
// browser the team already trusts, with a profile of its own in the data folder so the QR login survives restarts.
import fs from 'node:fs';
import path from 'node:path';

export function browserCandidates(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter((r): r is string => !!r);
    return roots.flatMap((r) => [
      path.win32.join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      path.win32.join(r, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
      path.win32.join(r, 'Chromium', 'Application', 'chrome.exe'),
    ]);
  }
  if (platform === 'darwin') {
    const apps = ['/Applications', path.join(env['HOME'] ?? '', 'Applications')];
    return apps.flatMap((a) => [
      path.join(a, 'Google Chrome.app/Contents/MacOS/Google Chrome'),
      path.join(a, 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'),
      path.join(a, 'Chromium.app/Contents/MacOS/Chromium'),
    ]);
  }
  return [
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
    '/usr/bin/microsoft-edge-stable',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
  ];
}

/** The configured path if it exists, else the first installed browser found, else null. */
export function findBrowser(configured: string | null | undefined, exists: (p: string) => boolean = fs.existsSync): string | null {
  if (configured) return exists(configured) ? configured : null;
  return browserCandidates().find((p) => exists(p)) ?? null;
}
