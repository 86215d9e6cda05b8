// The automation API the review domain reads through (electron/core/automation-api.ts): what room automation sent per
// minute (one review marker per minute that had any), and a change mark for the review's report cache.
import type { AutomationApi } from '../automation-api.ts';
import type { Db } from '../store/db.ts';
import { preparedPerDb } from '../store/prepared.ts';

/** Statements prepared once per database. */
function statements(db: Db) {
  return {
    // docs/automation.md: only actions that were sent count; 'next' (moving the lineup on) is not an action in the room
    sent: db.prepare<[number], { minute: number; reply: number; pin: number; message: number; explain: number }>(
      `SELECT (ts / 60000) * 60000 AS minute, total(kind = 'reply') AS reply, total(kind = 'pin') AS pin,
         total(kind = 'message') AS message, total(kind = 'explain') AS explain
       FROM automation_actions WHERE session_id = ? AND status = 'sent' AND kind != 'next' GROUP BY minute ORDER BY minute`,
    ),
    changeMark: db.prepare<[number], { m: string | null }>(
      "SELECT count(*) || ':' || max(id) AS m FROM automation_actions WHERE session_id = ?",
    ),
  };
}

/** The automation API over the database `db()` returns (read at each call); statements are prepared once per database. */
export function createAutomationApi(db: () => Db): AutomationApi {
  const sql = preparedPerDb(db, statements);
  return {
    sentPerMinute: (sessionId) => sql().sent.all(sessionId),
    changeMark: (sessionId) => String(sql().changeMark.get(sessionId)!.m),
  };
}
