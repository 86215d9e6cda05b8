// Issue 14 finding 6: livecue.sqlite (0644 in a 0755 folder) held the WeChat secret/token/AES key, robot signing
// secrets and the API token. An old data folder is opened: they move to the 0600 secret store and leave no trace.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Core } from '../core.ts';
import { openDatabase } from '../store/db.ts';
import { PushRepo } from '../push/outbox.ts';
import { root, tempDir } from '../../../tests/helpers/serve.ts';

const open = (dataDir: string) => new Core({ dataDir, resourcesDir: path.join(root, 'resources'), version: 'test', seedDemo: false, log: () => {} });

describe('secrets out of SQLite', () => {
  it('moves the old token, WeChat credentials and robot secrets into the 0600 secret store and scrubs the file', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    const db = openDatabase(dir);
    const secrets = { token: 'OLD-API-TOKEN-1234567890', wx: 'WX-APPSECRET-abcdef', aes: 'A'.repeat(43), sign: 'SEC-ROBOT-SIGNING-999', robotKey: 'ROBOTKEY0123456789abcdef' };
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('token', JSON.stringify(secrets.token));
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('wechat', JSON.stringify({ appId: 'wx123', secret: secrets.wx, token: 'cbtoken', aesKey: secrets.aes }));
    db.prepare("INSERT INTO push_channels (kind, name, url, secret, tags, created_at) VALUES ('dingtalk', 'g', ?, ?, '[]', 1)").run(`https://oapi.dingtalk.com/robot/send?access_token=${secrets.robotKey}`, secrets.sign);
    db.close();
    fs.chmodSync(path.join(dir, 'livecue.sqlite'), 0o644);

    const core = open(dir);
    expect(core.token).toBe(secrets.token); // LIVECUE scripts keep working with the token they had
    expect(core.secrets.get('wechat.shop.secret')).toBe(secrets.wx);
    expect(core.secrets.get('wechat.shop.aesKey')).toBe(secrets.aes);
    const robot = new PushRepo(core.db, core.secrets);
    expect(robot.channelSecret(1)).toMatchObject({ secret: secrets.sign, url: `https://oapi.dingtalk.com/robot/send?access_token=${secrets.robotKey}` });
    expect(robot.channel(1).urlMasked).toMatch(/access_token=\*\*\*\*cdef$/);
    expect(core.settings.get('wechat')).toEqual({ appId: 'wx123' });
    core.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('livecue.sqlite'))) {
      const bytes = fs.readFileSync(path.join(dir, f));
      for (const s of Object.values(secrets)) expect(bytes.includes(Buffer.from(s)), `${f} still holds ${s}`).toBe(false);
    }
    if (process.platform !== 'win32') {
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, 'livecue.sqlite')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    }
    core.close();
    // a second start finds nothing left to move
    const again = open(dir);
    expect(again.token).toBe(secrets.token);
    again.close();
  });
});
