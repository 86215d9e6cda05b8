// 0005: Channels console bridge — lineup product ↔ Channels product mapping, and live comments read from the console.
export const sql = `
CREATE TABLE channels_mappings (
  product_id INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
  channels_product_id TEXT,
  channels_title TEXT,
  updated_at INTEGER NOT NULL,
  CHECK (channels_product_id IS NOT NULL OR channels_title IS NOT NULL)
) STRICT;

CREATE TABLE channels_comments (
  id INTEGER PRIMARY KEY,
  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
  ts INTEGER NOT NULL,
  -- the console's own message id (clientMsgId, else seq): a re-delivered message is stored once
  msg_key TEXT NOT NULL UNIQUE,
  nickname TEXT NOT NULL,
  content TEXT NOT NULL,
  keywords TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX channels_comments_session ON channels_comments(session_id, ts);
CREATE INDEX channels_comments_ts ON channels_comments(ts);
`;
