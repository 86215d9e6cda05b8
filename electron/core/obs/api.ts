// The obs API the review domain reads through (electron/core/obs-api.ts): a session's stream health per minute and its
// output events as typed rows, a recording linked by hand, and a change mark for the review's report cache.
import type { ObsApi } from '../obs-api.ts';
import type { Db } from '../store/db.ts';
import { preparedPerDb } from '../store/prepared.ts';

/** Statements prepared once per database. */
function statements(db: Db) {
  return {
    health: db.prepare<[number], { t: number; br: number | null; dr: number | null; st: number }>(
      `SELECT ts - ts % 60000 AS t, avg(bitrate_kbps) AS br, max(dropped_ratio) AS dr, max(streaming) AS st
       FROM stream_health WHERE session_id = ? GROUP BY 1 ORDER BY 1`,
    ),
    events: db.prepare<[number], { ts: number; kind: 'stream' | 'record'; state: string; active: number; output_path: string | null }>(
      'SELECT ts, kind, state, active, output_path FROM stream_events WHERE session_id = ? ORDER BY ts, id',
    ),
    insertEvent: db.prepare(
      "INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, 'record', ?, ?, ?)",
    ),
    changeMark: db.prepare<[number], { m: string | null }>(
      "SELECT count(*) || ':' || max(id) AS m FROM stream_events WHERE session_id = ?",
    ),
  };
}

/** The obs API over the database `db()` returns (read at each call); statements are prepared once per database. */
export function createObsApi(db: () => Db): ObsApi {
  const sql = preparedPerDb(db, statements);
  return {
    healthPerMinute: (sessionId) =>
      sql()
        .health.all(sessionId)
        .map((h) => ({ t: h.t, bitrateKbps: h.br, droppedRatio: h.dr, streaming: h.st === 1 })),
    outputEvents: (sessionId) =>
      sql()
        .events.all(sessionId)
        .map((e) => ({ ts: e.ts, kind: e.kind, state: e.state, active: e.active === 1, outputPath: e.output_path })),
    linkRecording: (sessionId, from, to, path) => {
      const s = sql();
      db()
        .transaction(() => {
          s.insertEvent.run(sessionId, from, 'linked', 1, path);
          s.insertEvent.run(sessionId, Math.max(from, to), 'linked', 0, path);
        })
        .immediate();
    },
    changeMark: (sessionId) => String(sql().changeMark.get(sessionId)!.m),
  };
}
