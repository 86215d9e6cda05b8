// 0007: where an imported session came from (a LiveCue bundle or a 视频号助手 export). Append-only.
export const sql = `
CREATE TABLE session_imports (
  session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('bundle', 'channels-export')),
  file_name TEXT,
  rows INTEGER NOT NULL CHECK (rows >= 0),
  imported_at INTEGER NOT NULL
) STRICT;
`;
