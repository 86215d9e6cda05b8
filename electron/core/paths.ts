// Where LiveCue keeps its data by default: the same folder Electron's app.getPath('userData') gives, plus /data,
// so the desktop app and `npm run serve` share one database.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'LiveCue';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LIVECUE_DATA_DIR) return path.resolve(env.LIVECUE_DATA_DIR);
  const home = os.homedir();
  const appData =
    platform === 'win32'
      ? (env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? path.join(home, '.config'));
  return path.join(appData, APP_NAME, 'data');
}
