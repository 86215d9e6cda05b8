// 0160: room automation — the four rule sets as the producer typed them (bulk text + options), the log of every
// automatic comment / 上墙 / 讲解 with why it happened, and the nicknames that ordered (room 'order' events), so review
// can say whether a viewer who was answered ordered afterwards.
export const sql = `
CREATE TABLE automation_sets (
  kind TEXT PRIMARY KEY CHECK (kind IN ('reply', 'pin', 'message', 'rotation')),
  enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  text TEXT NOT NULL DEFAULT '',
  options TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE automation_actions (
  id INTEGER PRIMARY KEY,
  session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('reply', 'pin', 'message', 'explain', 'next')),
  status TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'dropped')),
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  text TEXT NOT NULL,
  trigger_nickname TEXT,
  trigger_ts INTEGER,
  trigger_kind TEXT CHECK (trigger_kind IN ('comment', 'enter', 'follow', 'order')),
  error TEXT
) STRICT;
CREATE INDEX automation_actions_session ON automation_actions(session_id, ts);
CREATE INDEX automation_actions_ts ON automation_actions(ts);

CREATE TABLE automation_orders (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  -- the room event's id: a re-read order is stored once (per session, so a session bundle imports cleanly)
  event_id TEXT NOT NULL,
  nickname TEXT NOT NULL,
  UNIQUE (session_id, event_id)
) STRICT;
CREATE INDEX automation_orders_session ON automation_orders(session_id, nickname, ts);
`;
