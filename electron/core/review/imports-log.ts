// Which sessions came from a file (session_imports, migration 0007: the review domain's own table). A session brought
// in by a bundle or a 视频号助手 export shows its source as 'import' in every review view.
import type { Db } from '../store/db.ts';

export class ImportsLog {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      one: db.prepare<[number], { n: number }>('SELECT 1 AS n FROM session_imports WHERE session_id = ? LIMIT 1'),
      all: db.prepare<[], { session_id: number }>('SELECT DISTINCT session_id FROM session_imports'),
    };
  }

  isImported(sessionId: number): boolean {
    return this.sql.one.get(sessionId) !== undefined;
  }

  /** every imported session's id (the sessions list marks them in one pass) */
  importedIds(): Set<number> {
    return new Set(this.sql.all.all().map((r) => r.session_id));
  }
}
