// Lineup templates: a saved lineup (products, planned minutes, talking points) applied to new sessions.
import type { LineupTemplate } from '../../../shared/domain.ts';
import type { Db } from '../store/db.ts';
import { notFound } from '../errors.ts';

interface TemplateRow {
  id: number;
  name: string;
  items: string;
  created_at: number;
}
const toTemplate = (r: TemplateRow): LineupTemplate => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  items: JSON.parse(r.items) as LineupTemplate['items'],
});

export class TemplateRepo {
  private readonly sql;
  constructor(db: Db) {
    this.sql = {
      list: db.prepare<[], TemplateRow>('SELECT * FROM templates ORDER BY name, id'),
      get: db.prepare<[number], TemplateRow>('SELECT * FROM templates WHERE id = ?'),
      insert: db.prepare('INSERT INTO templates (name, items, created_at) VALUES (?, ?, ?)'),
      delete: db.prepare('DELETE FROM templates WHERE id = ?'),
    };
  }
  list(): LineupTemplate[] {
    return this.sql.list.all().map(toTemplate);
  }
  get(id: number): LineupTemplate {
    const row = this.sql.get.get(id);
    if (!row) throw notFound('template', id);
    return toTemplate(row);
  }
  create(name: string, items: LineupTemplate['items'], now: number): LineupTemplate {
    return this.get(Number(this.sql.insert.run(name, JSON.stringify(items), now).lastInsertRowid));
  }
  delete(id: number): void {
    if (this.sql.delete.run(id).changes === 0) throw notFound('template', id);
  }
}
