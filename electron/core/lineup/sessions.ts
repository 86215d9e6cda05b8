// Sessions, their lineup, and pins. A pin opens a segment; pinning another product closes it; unpin and end close it.
// The database keeps at most one open segment per session (segments_open unique index).
import type { LineupItem, Product, Segment, SessionState, SessionStatus, SessionSummary } from '../../../shared/domain.ts';
import type { SessionFilter } from '../lineup-api.ts';
import type { Db } from '../store/db.ts';
import { CoreError, conflict, notFound } from '../errors.ts';

interface SessionRow {
  id: number;
  title: string;
  status: SessionStatus;
  planned_start: number | null;
  started_at: number | null;
  ended_at: number | null;
  created_at: number;
  lineup_count: number;
}
interface ItemRow {
  id: number;
  session_id: number;
  product_id: number;
  position: number;
  planned_minutes: number;
  planned_seconds: number | null;
  talking_points: string;
  notes: string;
}
interface SegmentRow {
  id: number;
  session_id: number;
  product_id: number;
  lineup_item_id: number | null;
  started_at: number;
  ended_at: number | null;
}

export interface ItemFields {
  plannedMinutes?: number;
  talkingPoints?: string;
  notes?: string;
}

const DEFAULT_MINUTES = 5;
/** planned minutes (2.5) → whole seconds (150), the stored unit */
const seconds = (minutes: number) => Math.round(minutes * 60);

const toSummary = (r: SessionRow): SessionSummary => ({
  id: r.id,
  title: r.title,
  status: r.status,
  plannedStart: r.planned_start,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  createdAt: r.created_at,
  lineupCount: r.lineup_count,
});
const toItem = (r: ItemRow): LineupItem => ({
  id: r.id,
  sessionId: r.session_id,
  productId: r.product_id,
  position: r.position,
  plannedMinutes: r.planned_seconds !== null ? r.planned_seconds / 60 : r.planned_minutes,
  talkingPoints: r.talking_points,
  notes: r.notes,
});
export const toSegment = (r: SegmentRow): Segment => ({
  id: r.id,
  sessionId: r.session_id,
  productId: r.product_id,
  lineupItemId: r.lineup_item_id,
  startedAt: r.started_at,
  endedAt: r.ended_at,
});

const SUMMARY = `SELECT s.*, (SELECT count(*) FROM lineup_items i WHERE i.session_id = s.id) AS lineup_count FROM sessions s`;
/** newest first: by start, else planned start, else creation */
const LIST_ORDER = 'ORDER BY coalesce(s.started_at, s.planned_start, s.created_at) DESC, s.id DESC';

/**
 * What the lineup reads from the catalog: the catalog's API, handed in where the repo is built (never an import of the
 * catalog's files). `ProductRepo` (catalog/products.ts) is one.
 */
export interface CatalogApi {
  /** the product, or not_found (a lineup row or a pin names an existing product) */
  get(id: number): Product;
  /** the product even when deleted since, or null (a pin made before the delete still shows it) */
  getIncludingDeleted(id: number): Product | null;
  exists(id: number): boolean;
}

export class SessionRepo {
  private readonly sql;
  private readonly db: Db;
  private readonly products: CatalogApi;
  constructor(db: Db, products: CatalogApi) {
    this.db = db;
    this.products = products;
    this.sql = {
      get: db.prepare<[number], SessionRow>(`${SUMMARY} WHERE s.id = ?`),
      list: db.prepare<[], SessionRow>(`${SUMMARY} ${LIST_ORDER}`),
      liveIds: db.prepare<[], { id: number }>("SELECT id FROM sessions WHERE status = 'live'"),
      active: db.prepare<[], SessionRow>(`${SUMMARY} WHERE s.status != 'ended' ORDER BY s.status = 'live' DESC, s.id`),
      liveId: db.prepare<[], { id: number }>("SELECT id FROM sessions WHERE status = 'live' ORDER BY started_at DESC, id DESC LIMIT 1"),
      exists: db.prepare<[number], { id: number }>('SELECT id FROM sessions WHERE id = ?'),
      insert: db.prepare('INSERT INTO sessions (title, planned_start, created_at) VALUES (?, ?, ?)'),
      insertEnded: db.prepare("INSERT INTO sessions (title, status, planned_start, started_at, ended_at, created_at) VALUES (?, 'ended', NULL, ?, ?, ?)"),
      remove: db.prepare('DELETE FROM sessions WHERE id = ?'),
      update: db.prepare('UPDATE sessions SET title = ?, planned_start = ? WHERE id = ?'),
      setStatus: db.prepare('UPDATE sessions SET status = ?, started_at = coalesce(started_at, ?), ended_at = ? WHERE id = ?'),
      items: db.prepare<[number], ItemRow>('SELECT * FROM lineup_items WHERE session_id = ? ORDER BY position, id'),
      item: db.prepare<[number], ItemRow>('SELECT * FROM lineup_items WHERE id = ?'),
      maxPos: db.prepare<[number], { p: number | null }>('SELECT max(position) AS p FROM lineup_items WHERE session_id = ?'),
      insertItem: db.prepare(
        `INSERT INTO lineup_items (session_id, product_id, position, planned_minutes, planned_seconds, talking_points, notes)
         VALUES (?, ?, ?, CAST(round(? / 60.0) AS INTEGER), ?, ?, ?)`,
      ),
      updateItem: db.prepare(
        'UPDATE lineup_items SET planned_minutes = CAST(round(@s / 60.0) AS INTEGER), planned_seconds = @s, talking_points = @talk, notes = @notes WHERE id = @id',
      ),
      setPos: db.prepare('UPDATE lineup_items SET position = ? WHERE id = ?'),
      deleteItem: db.prepare('DELETE FROM lineup_items WHERE id = ?'),
      openSegment: db.prepare<[number], SegmentRow>('SELECT * FROM segments WHERE session_id = ? AND ended_at IS NULL'),
      lastSegment: db.prepare<[number], SegmentRow>('SELECT * FROM segments WHERE session_id = ? ORDER BY started_at DESC, id DESC LIMIT 1'),
      segmentsCount: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM segments WHERE session_id = ?'),
      segments: db.prepare<[number], SegmentRow>('SELECT * FROM segments WHERE session_id = ? ORDER BY started_at, id'),
      closeSegment: db.prepare('UPDATE segments SET ended_at = max(started_at, ?) WHERE session_id = ? AND ended_at IS NULL'),
      insertSegment: db.prepare('INSERT INTO segments (session_id, product_id, lineup_item_id, started_at) VALUES (?, ?, ?, ?)'),
      activeLineupsWith: db.prepare<[number], { title: string }>(
        `SELECT DISTINCT s.title FROM lineup_items i JOIN sessions s ON s.id = i.session_id
         WHERE i.product_id = ? AND s.status != 'ended'`,
      ),
    };
  }

  summary(id: number): SessionSummary {
    const row = this.sql.get.get(id);
    if (!row) throw notFound('session', id);
    return toSummary(row);
  }

  /** the live session (the newest, should an old database hold two) */
  liveId(): number | null {
    return this.sql.liveId.get()?.id ?? null;
  }

  existsId(id: number): boolean {
    return this.sql.exists.get(id) !== undefined;
  }

  list(): SessionSummary[] {
    return this.sql.list.all().map(toSummary);
  }

  /** The sessions a filter selects, in list order (the review's sessions list); filtered in SQL. */
  find(filter: SessionFilter): SessionSummary[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.q) {
      where.push("s.title LIKE @q ESCAPE '\\'");
      params.q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (filter.status && filter.status !== 'all') {
      where.push('s.status = @status');
      params.status = filter.status;
    }
    if (filter.from !== undefined) {
      where.push('s.started_at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      where.push('s.started_at <= @to');
      params.to = filter.to;
    }
    const sql = `${SUMMARY} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${LIST_ORDER}`;
    return (this.db.prepare(sql).all(params) as SessionRow[]).map(toSummary);
  }

  /** the sessions on air (normally one) */
  liveIds(): number[] {
    return this.sql.liveIds.all().map((r) => r.id);
  }

  /** the session's lineup, in order */
  items(sessionId: number): LineupItem[] {
    return this.sql.items.all(sessionId).map(toItem);
  }

  activeStates(): SessionState[] {
    return this.sql.active.all().map((r) => this.stateOf(toSummary(r)));
  }

  state(id: number): SessionState {
    return this.stateOf(this.summary(id));
  }

  segments(id: number): Segment[] {
    return this.sql.segments.all(id).map(toSegment);
  }

  private stateOf(summary: SessionSummary): SessionState {
    const lineup = this.sql.items.all(summary.id).map(toItem);
    const open = this.sql.openSegment.get(summary.id);
    const segment = open ? toSegment(open) : null;
    return {
      ...summary,
      lineup,
      pinned: segment ? this.products.getIncludingDeleted(segment.productId) : null,
      segment,
      next: this.nextItem(summary.id, lineup, open),
      segmentsCount: this.sql.segmentsCount.get(summary.id)!.n,
    };
  }

  /** The item after the pinned (or last pinned) lineup item; the first item when nothing has been pinned from the lineup. */
  private nextItem(sessionId: number, lineup: LineupItem[], open = this.sql.openSegment.get(sessionId)): LineupItem | null {
    const ref = open ?? this.sql.lastSegment.get(sessionId);
    const refItem = ref?.lineup_item_id != null ? lineup.findIndex((i) => i.id === ref.lineup_item_id) : -1;
    return lineup[refItem + 1] ?? null;
  }

  create(title: string, plannedStart: number | null, now: number): number {
    return Number(this.sql.insert.run(title, plannedStart, now).lastInsertRowid);
  }

  /** an ended session imported from a file (the review's 视频号助手 import) */
  createEnded(input: { title: string; startedAt: number; endedAt: number }, now: number): number {
    return Number(this.sql.insertEnded.run(input.title, input.startedAt, input.endedAt, now).lastInsertRowid);
  }

  /** deletes the session row (its lineup and segments go with it: ON DELETE CASCADE) */
  remove(id: number): void {
    this.sql.remove.run(id);
  }

  update(id: number, title: string | undefined, plannedStart: number | null | undefined): void {
    const s = this.summary(id);
    this.sql.update.run(title ?? s.title, plannedStart === undefined ? s.plannedStart : plannedStart, id);
  }

  start(id: number, now: number): void {
    const s = this.summary(id);
    if (s.status === 'live') return;
    if (s.status === 'ended') throw conflict(`场次已结束，不能再开播 / session ${id} has ended and cannot start again`);
    this.sql.setStatus.run('live', now, null, id);
  }

  end(id: number, now: number): void {
    const s = this.summary(id);
    if (s.status === 'ended') return;
    this.sql.closeSegment.run(now, id);
    this.sql.setStatus.run('ended', now, now, id);
  }

  addItem(sessionId: number, productId: number, fields: ItemFields): LineupItem {
    this.assertEditable(sessionId);
    this.products.get(productId);
    const pos = (this.sql.maxPos.get(sessionId)?.p ?? 0) + 1;
    const info = this.sql.insertItem.run(
      sessionId,
      productId,
      pos,
      seconds(fields.plannedMinutes ?? DEFAULT_MINUTES),
      seconds(fields.plannedMinutes ?? DEFAULT_MINUTES),
      fields.talkingPoints ?? '',
      fields.notes ?? '',
    );
    return this.item(Number(info.lastInsertRowid));
  }

  item(itemId: number): LineupItem {
    const row = this.sql.item.get(itemId);
    if (!row) throw notFound('lineup item', itemId);
    return toItem(row);
  }

  updateItem(itemId: number, fields: ItemFields): LineupItem {
    const item = this.item(itemId);
    this.assertEditable(item.sessionId);
    this.sql.updateItem.run({
      s: seconds(fields.plannedMinutes ?? item.plannedMinutes),
      talk: fields.talkingPoints ?? item.talkingPoints,
      notes: fields.notes ?? item.notes,
      id: itemId,
    });
    return this.item(itemId);
  }

  removeItem(itemId: number): LineupItem {
    const item = this.item(itemId);
    this.assertEditable(item.sessionId);
    const open = this.sql.openSegment.get(item.sessionId);
    if (open?.lineup_item_id === itemId) throw conflict('正在讲解的商品不能移出排品，请先取消置顶 / unpin this item before removing it');
    this.sql.deleteItem.run(itemId);
    return item;
  }

  reorder(sessionId: number, itemIds: number[]): void {
    this.assertEditable(sessionId);
    const current = this.sql.items.all(sessionId).map((r) => r.id);
    const same = current.length === itemIds.length && new Set(itemIds).size === itemIds.length && itemIds.every((i) => current.includes(i));
    if (!same) throw new CoreError('bad_request', '排序必须包含本场全部排品且不重复 / itemIds must list every lineup item of the session exactly once');
    itemIds.forEach((itemId, index) => this.sql.setPos.run(index + 1, itemId));
  }

  pin(sessionId: number, target: { productId?: number; lineupItemId?: number }, now: number): void {
    const s = this.summary(sessionId);
    if (s.status !== 'live') {
      throw conflict(s.status === 'draft' ? '请先开播再置顶商品 / start the session before pinning' : '场次已结束 / session has ended');
    }
    let itemId: number | null;
    let productId: number;
    if (target.lineupItemId !== undefined) {
      const item = this.item(target.lineupItemId);
      if (item.sessionId !== sessionId) throw new CoreError('bad_request', `lineup item ${item.id} belongs to another session`);
      if (target.productId !== undefined && target.productId !== item.productId) {
        throw new CoreError('bad_request', 'productId does not match the lineup item');
      }
      itemId = item.id;
      productId = item.productId;
    } else if (target.productId !== undefined) {
      productId = this.products.get(target.productId).id;
      const items = this.sql.items.all(sessionId);
      itemId = items.find((i) => i.product_id === productId)?.id ?? null;
    } else {
      throw new CoreError('bad_request', 'pin needs productId or lineupItemId');
    }
    const open = this.sql.openSegment.get(sessionId);
    if (open && open.product_id === productId && open.lineup_item_id === itemId) return;
    this.sql.closeSegment.run(now, sessionId);
    this.sql.insertSegment.run(sessionId, productId, itemId, Math.max(now, open?.started_at ?? 0));
  }

  next(sessionId: number, now: number): void {
    const lineup = this.sql.items.all(sessionId).map(toItem);
    const item = this.nextItem(sessionId, lineup);
    if (!item) throw conflict(lineup.length ? '已经是最后一个商品 / end of the lineup' : '排品为空 / the lineup is empty');
    this.pin(sessionId, { lineupItemId: item.id }, now);
  }

  unpin(sessionId: number, now: number): void {
    this.summary(sessionId);
    this.sql.closeSegment.run(now, sessionId);
  }

  /** Titles of the sessions (not ended) whose lineup holds this product. */
  activeSessionsWith(productId: number): string[] {
    return this.sql.activeLineupsWith.all(productId).map((r) => r.title);
  }

  private assertEditable(sessionId: number): void {
    if (this.summary(sessionId).status === 'ended') throw conflict('场次已结束，排品不可修改 / an ended session cannot be edited');
  }
}
