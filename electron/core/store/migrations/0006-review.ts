// 0006: review — scene switches and alerts seen while a session was live, as markers on its timeline. Pushes and
// stream/record state changes already have their own tables; the report reads those directly.
export const sql = `
CREATE TABLE session_markers (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('scene', 'alert')),
  label TEXT NOT NULL
) STRICT;
CREATE INDEX session_markers_session ON session_markers(session_id, ts);
`;
