// SQLite access for the Channels domain: product mapping and the live comments read from the console.
import type { ChannelsComment, ChannelsMapping } from '../../../shared/protocol/channels.ts';
import type { Db } from '../store/db.ts';

interface MappingRow {
  product_id: number;
  channels_product_id: string | null;
  channels_title: string | null;
  updated_at: number;
}

interface CommentRow {
  id: number;
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
  sessionId: r.session_id,
  ts: r.ts,
  nickname: r.nickname,
  content: r.content,
  keywords: JSON.parse(r.keywords) as string[],
});

export interface NewComment {
  key: string;
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
        'INSERT OR IGNORE INTO channels_comments (session_id, ts, msg_key, nickname, content, keywords) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      commentById: db.prepare<[number | bigint], CommentRow>('SELECT * FROM channels_comments WHERE id = ?'),
      recent: db.prepare<[number], CommentRow>('SELECT * FROM channels_comments ORDER BY id DESC LIMIT ?'),
      recentOf: db.prepare<[number, number], CommentRow>('SELECT * FROM channels_comments WHERE session_id = ? ORDER BY id DESC LIMIT ?'),
      perMinute: db.prepare<[number, number, number], { minute: number; count: number }>(
        'SELECT (ts / 60000) * 60000 AS minute, count(*) AS count FROM channels_comments WHERE ts >= ? AND (session_id = ? OR ? = 0) GROUP BY minute ORDER BY minute',
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
          const r = this.sql.insertComment.run(c.sessionId, c.ts, c.key, c.nickname, c.content, JSON.stringify(c.keywords));
          if (r.changes) added.push(toComment(this.sql.commentById.get(r.lastInsertRowid)!));
        }
      })
      .immediate();
    return added;
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
