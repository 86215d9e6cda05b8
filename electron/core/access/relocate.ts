// Secrets out of SQLite (issue 14). Older data folders kept the API token, the WeChat AppSecret / token / EncodingAESKey
// and robot signing secrets in livecue.sqlite; on every start anything still there is moved into the secret store,
// scrubbed from the database, and the file rebuilt (VACUUM) with the WAL truncated, so no old page still holds it.
// A numbered migration cannot do this: it runs SQL inside openDatabase and has no secret store.
import type { SecretStore } from '../secrets.ts';
import type { Db } from '../store/db.ts';
import { maskUrl } from '../push/platform.ts';

/** the WeChat credentials that are secrets (appId and apiBase are plain settings) */
export const WECHAT_SECRET_FIELDS = ['secret', 'token', 'aesKey'] as const;
/** the single WeChat account of earlier versions is the 微信小店 account's (#11): its secrets become `wechat.shop.<field>` */
export const wechatSecretKey = (field: string): string => `wechat.shop.${field}`;
export const channelSecretKey = (id: number): string => `push.channel.${id}.secret`;
/** a robot's webhook URL is a secret too: its query (WeCom key, DingTalk access_token) or path (Feishu hook id) */
export const channelUrlKey = (id: number): string => `push.channel.${id}.url`;

export function relocateSecrets(db: Db, secrets: SecretStore, log: (line: string) => void): number {
  let moved = 0;
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const scrub: (() => void)[] = [];

  const token = get.get('token');
  if (token) {
    const value = JSON.parse(token.value) as unknown;
    if (typeof value === 'string' && !secrets.get('access.ownerToken')) secrets.set('access.ownerToken', value);
    scrub.push(() => db.prepare("DELETE FROM settings WHERE key = 'token'").run());
    moved++;
  }

  const wechat = get.get('wechat');
  if (wechat) {
    const value = JSON.parse(wechat.value) as Record<string, unknown>;
    let changed = false;
    for (const field of WECHAT_SECRET_FIELDS) {
      if (value[field] === undefined) continue;
      if (typeof value[field] === 'string' && value[field]) secrets.set(wechatSecretKey(field), value[field]);
      delete value[field];
      changed = true;
      moved++;
    }
    if (changed) scrub.push(() => db.prepare("UPDATE settings SET value = ? WHERE key = 'wechat'").run(JSON.stringify(value)));
  }

  const hasPush = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'push_channels'").get();
  if (hasPush) {
    const rows = db.prepare<[], { id: number; secret: string }>('SELECT id, secret FROM push_channels WHERE secret IS NOT NULL').all();
    for (const r of rows) {
      if (r.secret) secrets.set(channelSecretKey(r.id), r.secret);
      moved++;
    }
    if (rows.length) scrub.push(() => db.prepare('UPDATE push_channels SET secret = NULL WHERE secret IS NOT NULL').run());
    // webhook URLs: the full one to the secret store, only its masked form stays (for lists and the delivery log)
    const urls = db.prepare<[], { id: number; url: string }>("SELECT id, url FROM push_channels WHERE url != ''").all();
    const maskUpdate = db.prepare('UPDATE push_channels SET url = ? WHERE id = ?');
    for (const r of urls) {
      if (secrets.get(channelUrlKey(r.id)) !== undefined) continue;
      secrets.set(channelUrlKey(r.id), r.url);
      scrub.push(() => maskUpdate.run(maskUrl(r.url), r.id));
      moved++;
    }
  }

  if (!moved) return 0;
  // the secret store holds them now; only then are they removed from the database
  db.transaction(() => {
    for (const s of scrub) s();
  })();
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  log(`livecue: moved ${moved} secret(s) from the database into the secret store`);
  return moved;
}
