// 0001: catalog, sessions, lineup, pins as segments, templates, settings. Append-only: never edit a shipped migration.
export const sql = `
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  price INTEGER NOT NULL CHECK (price >= 0),
  live_price INTEGER CHECK (live_price >= 0),
  sku TEXT,
  stock INTEGER CHECK (stock >= 0),
  image_url TEXT,
  selling_points TEXT NOT NULL DEFAULT '[]',
  coupon TEXT,
  link TEXT,
  hot INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX products_sku ON products(sku) WHERE sku IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live', 'ended')),
  planned_start INTEGER,
  started_at INTEGER,
  ended_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE lineup_items (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  product_id INTEGER NOT NULL REFERENCES products(id),
  position INTEGER NOT NULL,
  planned_minutes INTEGER NOT NULL DEFAULT 5,
  talking_points TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX lineup_items_session ON lineup_items(session_id, position);

CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  product_id INTEGER NOT NULL REFERENCES products(id),
  lineup_item_id INTEGER REFERENCES lineup_items(id) ON DELETE SET NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER
) STRICT;
CREATE INDEX segments_session ON segments(session_id, started_at);
-- at most one open segment (one pinned product) per session, enforced by the database itself
CREATE UNIQUE INDEX segments_open ON segments(session_id) WHERE ended_at IS NULL;

CREATE TABLE templates (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  items TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`;
