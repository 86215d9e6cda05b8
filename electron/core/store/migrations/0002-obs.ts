// 0002: OBS — per-lineup-item scene/hotkey cues, stream health sampled once a second while live, output state events.
export const sql = `
CREATE TABLE obs_item_cues (
  lineup_item_id INTEGER PRIMARY KEY REFERENCES lineup_items(id) ON DELETE CASCADE,
  scene_name TEXT,
  hotkey_name TEXT
) STRICT;

CREATE TABLE stream_health (
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  streaming INTEGER NOT NULL,
  recording INTEGER NOT NULL,
  timecode TEXT,
  bitrate_kbps REAL,
  dropped_ratio REAL,
  congestion REAL,
  PRIMARY KEY (session_id, ts)
) STRICT;

CREATE TABLE stream_events (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('stream', 'record')),
  state TEXT NOT NULL,
  active INTEGER NOT NULL,
  output_path TEXT
) STRICT;
CREATE INDEX stream_events_session ON stream_events(session_id, ts);
`;
