// 0131 (#13): a session's source history. One row each time a metrics source is started for a live session, or refused
// (state 'refused' with the reason, e.g. WeChat API chosen without AppID/AppSecret). A session with any simulator run is
// a rehearsal (彩排) everywhere in review. Sessions from before this migration that chose the simulator get one row.
export const sql = `
CREATE TABLE metric_source_runs (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'refused')),
  message TEXT,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX metric_source_runs_session ON metric_source_runs(session_id, at);
INSERT INTO metric_source_runs (session_id, source, state, message, at)
  SELECT src.session_id, src.source, 'running', NULL, coalesce(s.started_at, src.updated_at)
  FROM metric_sources src JOIN sessions s ON s.id = src.session_id
  WHERE src.source = 'simulator' AND s.started_at IS NOT NULL;
`;
