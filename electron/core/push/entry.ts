// The session's entry point: what a push opens. There is no official web URL of a 视频号 live room; WeChat reaches it
// through the 视频号 itself, a 直播预约 (reservation) notice, or a mini program calling wx.openChannelsLive / rendering
// <channel-live> (https://developers.weixin.qq.com/miniprogram/dev/api/open-api/channels/wx.openChannelsLive.html,
// https://developers.weixin.qq.com/miniprogram/dev/component/channel-live.html). Reservation notices are listed by
// /channels/ec/finderlive/getfinderlivenoticerecordlist (视频号助手 API, issue 11's account). A pasted link is kept
// with a warning: LiveCue cannot check that WeChat opens it.
import type { EntryPoint, SessionEntry } from '../../../shared/protocol/push.ts';
import type { Db } from '../store/db.ts';

interface Row {
  session_id: number;
  kind: EntryPoint['kind'] | null;
  value: string | null;
  extra: string | null;
  allow_rehearsal_push: number;
}

export const LINK_WARNING = '请确认这个链接能在微信里打开（如视频号预约页、小程序链接、商品 H5 链接）；LiveCue 无法校验 / make sure WeChat opens this link: LiveCue cannot check it';

function toEntry(r: Row): EntryPoint | null {
  if (r.kind === null || r.value === null) return null;
  if (r.kind === 'notice') return { kind: 'notice', noticeId: r.value, ...(r.extra ? { title: r.extra } : {}) };
  if (r.kind === 'miniprogram') {
    const extra = JSON.parse(r.extra ?? '{}') as { path?: string; title?: string };
    return { kind: 'miniprogram', appid: r.value, path: extra.path ?? '', ...(extra.title ? { title: extra.title } : {}) };
  }
  return { kind: 'link', url: r.value };
}

export class EntryRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  get(sessionId: number, legacyLink: string | null): SessionEntry {
    const r = this.db.prepare<[number], Row>('SELECT * FROM push_session_entries WHERE session_id = ?').get(sessionId);
    const entry: EntryPoint | null = r?.kind ? toEntry(r) : legacyLink ? { kind: 'link', url: legacyLink } : null;
    return {
      sessionId,
      entry,
      link: entry?.kind === 'link' ? entry.url : null,
      warning: entry?.kind === 'link' ? LINK_WARNING : entry === null ? '未设置入口：推送里将没有可点的链接 / no entry point set: the push carries no way in' : null,
      allowRehearsalPush: r ? r.allow_rehearsal_push === 1 : false,
    };
  }

  all(legacy: Record<number, string>): Record<number, SessionEntry> {
    const ids = new Set<number>([...this.db.prepare<[], { session_id: number }>('SELECT session_id FROM push_session_entries').all().map((r) => r.session_id), ...Object.keys(legacy).map(Number)]);
    return Object.fromEntries([...ids].map((id) => [id, this.get(id, legacy[id] ?? null)]));
  }

  set(sessionId: number, entry: EntryPoint | null, allowRehearsalPush: boolean | undefined): void {
    const current = this.db.prepare<[number], Row>('SELECT * FROM push_session_entries WHERE session_id = ?').get(sessionId);
    const allow = allowRehearsalPush === undefined ? (current?.allow_rehearsal_push ?? 0) : allowRehearsalPush ? 1 : 0;
    if (entry === null) {
      this.db
        .prepare(
          `INSERT INTO push_session_entries (session_id, kind, value, extra, allow_rehearsal_push) VALUES (?, NULL, NULL, NULL, ?)
           ON CONFLICT (session_id) DO UPDATE SET kind = NULL, value = NULL, extra = NULL, allow_rehearsal_push = excluded.allow_rehearsal_push`,
        )
        .run(sessionId, allow);
      this.db.prepare('DELETE FROM push_session_links WHERE session_id = ?').run(sessionId);
      return;
    }
    const value = entry.kind === 'notice' ? entry.noticeId : entry.kind === 'miniprogram' ? entry.appid : entry.url;
    const extra = entry.kind === 'notice' ? (entry.title ?? null) : entry.kind === 'miniprogram' ? JSON.stringify({ path: entry.path, title: entry.title }) : null;
    this.db
      .prepare(
        `INSERT INTO push_session_entries (session_id, kind, value, extra, allow_rehearsal_push) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET kind = excluded.kind, value = excluded.value, extra = excluded.extra, allow_rehearsal_push = excluded.allow_rehearsal_push`,
      )
      .run(sessionId, entry.kind, value, extra, allow);
    // the robots' {{link}} keeps reading push_session_links: a pasted link goes there too, anything else clears it
    if (entry.kind === 'link') this.db.prepare('INSERT INTO push_session_links (session_id, link) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET link = excluded.link').run(sessionId, entry.url);
    else this.db.prepare('DELETE FROM push_session_links WHERE session_id = ?').run(sessionId);
  }
}
