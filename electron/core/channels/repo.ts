// SQLite access for the Channels domain: product mapping and the live comments read from the console.
import type { ChannelsComment, ChannelsMapping, ChannelsMessageKind } from '../../../shared/protocol/channels.ts';
import type { Db } from '../store/db.ts';

interface MappingRow {
  product_id: number;
  channels_product_id: string | null;
  channels_title: string | null;
  updated_at: number;
}

interface CommentRow {
  id: number;
  msg_key: string;
  kind: ChannelsMessageKind;
  stuck_at: number | null;
  session_id: number | null;
  ts: number;
  nickname: string;
  content: string;
  keywords: string;
}

const toMapping = (r: MappingRow): ChannelsMapping => ({
  productId: r.product_id,
  channelsProductId: r.channels_product_id,
  channelsTitle: r.channels_title,
  updatedAt: r.updated_at,
});

const toComment = (r: CommentRow): ChannelsComment => ({
  id: r.id,
  key: r.msg_key,
  kind: r.kind,
  stuckAt: r.stuck_at,
  sessionId: r.session_id,
  ts: r.ts,
  nickname: r.nickname,
  content: r.content,
  keywords: JSON.parse(r.keywords) as string[],
});

export interface NewComment {
  key: string;
  kind: ChannelsMessageKind;
  sessionId: number | null;
  ts: number;
  nickname: string;
  content: string;
  keywords: string[];
}

export class ChannelsRepo {
  private readonly db: Db;
  private readonly sql;

  constructor(db: Db) {
    this.db = db;
    this.sql = {
      mappings: db.prepare<[], MappingRow>('SELECT * FROM channels_mappings ORDER BY product_id'),
      mapping: db.prepare<[number], MappingRow>('SELECT * FROM channels_mappings WHERE product_id = ?'),
      upsert: db.prepare(
        `INSERT INTO channels_mappings (product_id, channels_product_id, channels_title, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(product_id) DO UPDATE SET channels_product_id = excluded.channels_product_id,
           channels_title = excluded.channels_title, updated_at = excluded.updated_at`,
      ),
      remove: db.prepare('DELETE FROM channels_mappings WHERE product_id = ?'),
      insertComment: db.prepare(
        'INSERT OR IGNORE INTO channels_comments (session_id, ts, msg_key, nickname, content, keywords, kind) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byKey: db.prepare<[string], CommentRow>('SELECT * FROM channels_comments WHERE msg_key = ?'),
      // the 10017 message carries the text, not the original id: the newest unstuck comment with that text is the one
      stick: db.prepare<[number, string, string], { msg_key: string }>(
        `UPDATE channels_comments SET stuck_at = ? WHERE id = (SELECT id FROM channels_comments WHERE kind = 'comment' AND stuck_at IS NULL
           AND content = ? AND (nickname = ? OR nickname = '') ORDER BY id DESC LIMIT 1) RETURNING msg_key`,
      ),
      commentById: db.prepare<[number | bigint], CommentRow>('SELECT * FROM channels_comments WHERE id = ?'),
      recent: db.prepare<[number], CommentRow>('SELECT * FROM channels_comments ORDER BY id DESC LIMIT ?'),
      recentOf: db.prepare<[number, number], CommentRow>('SELECT * FROM channels_comments WHERE session_id = ? ORDER BY id DESC LIMIT ?'),
      perMinute: db.prepare<[number, number, number], { minute: number; count: number }>(
        "SELECT (ts / 60000) * 60000 AS minute, count(*) AS count FROM channels_comments WHERE ts >= ? AND kind = 'comment' AND (session_id = ? OR ? = 0) GROUP BY minute ORDER BY minute",
      ),
    };
  }

  mappings(): ChannelsMapping[] {
    return this.sql.mappings.all().map(toMapping);
  }

  mapping(productId: number): ChannelsMapping | null {
    const row = this.sql.mapping.get(productId);
    return row ? toMapping(row) : null;
  }

  setMapping(productId: number, channelsProductId: string | null, channelsTitle: string | null, now: number): ChannelsMapping {
    this.sql.upsert.run(productId, channelsProductId, channelsTitle, now);
    return this.mapping(productId)!;
  }

  removeMapping(productId: number): boolean {
    return this.sql.remove.run(productId).changes > 0;
  }

  /** Stores a batch in one transaction; returns only the comments not seen before (the console re-delivers). */
  addComments(batch: NewComment[]): ChannelsComment[] {
    const added: ChannelsComment[] = [];
    this.db
      .transaction(() => {
        for (const c of batch) {
          const r = this.sql.insertComment.run(c.sessionId, c.ts, c.key, c.nickname, c.content, JSON.stringify(c.keywords), c.kind);
          if (r.changes) added.push(toComment(this.sql.commentById.get(r.lastInsertRowid)!));
        }
      })
      .immediate();
    return added;
  }

  byKey(key: string): ChannelsComment | null {
    const row = this.sql.byKey.get(key);
    return row ? toComment(row) : null;
  }

  /** Marks the newest comment with this text (and nickname) as on screen; returns its key, or null. */
  markStuck(content: string, nickname: string, at: number): string | null {
    return this.sql.stick.get(at, content, nickname)?.msg_key ?? null;
  }

  recent(limit: number, sessionId?: number): ChannelsComment[] {
    const rows = sessionId === undefined ? this.sql.recent.all(limit) : this.sql.recentOf.all(sessionId, limit);
    return rows.reverse().map(toComment);
  }

  perMinute(since: number, sessionId?: number): { minute: number; count: number }[] {
    const s = sessionId ?? 0;
    return this.sql.perMinute.all(since, s, s);
  }
}
