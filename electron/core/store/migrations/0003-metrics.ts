// 0003: metrics. Raw events per session (readings, orders, comments, joins/leaves), per-second and per-minute rollups
// kept in the same transaction as the raw rows, latest per-product funnel, the chosen source, and WeChat push dedupe.
// Raw event tables carry no foreign key (ingest checks the session once per batch): they are the hot path.
const rollup = (name: string) => `
CREATE TABLE ${name} (
  session_id INTEGER NOT NULL,
  t INTEGER NOT NULL,
  readings INTEGER NOT NULL DEFAULT 0,
  online_last INTEGER,
  online_max INTEGER NOT NULL DEFAULT 0,
  online_sum INTEGER NOT NULL DEFAULT 0,
  online_n INTEGER NOT NULL DEFAULT 0,
  avg_watch REAL,
  has_uv INTEGER NOT NULL DEFAULT 0,
  uv_cum INTEGER NOT NULL DEFAULT 0,
  pv_cum INTEGER NOT NULL DEFAULT 0,
  exp_cum INTEGER NOT NULL DEFAULT 0,
  clk_cum INTEGER NOT NULL DEFAULT 0,
  pay_cum INTEGER NOT NULL DEFAULT 0,
  rgmv_cum INTEGER NOT NULL DEFAULT 0,
  joins INTEGER NOT NULL DEFAULT 0,
  leaves INTEGER NOT NULL DEFAULT 0,
  dwell_ms INTEGER NOT NULL DEFAULT 0,
  dwell_n INTEGER NOT NULL DEFAULT 0,
  join_sum INTEGER NOT NULL DEFAULT 0,
  left_join_sum INTEGER NOT NULL DEFAULT 0,
  orders INTEGER NOT NULL DEFAULT 0,
  gmv INTEGER NOT NULL DEFAULT 0,
  comments INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, t)
) STRICT, WITHOUT ROWID;`;

export const sql = `
CREATE TABLE metric_sources (
  session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK (source IN ('simulator', 'wechat-api', 'wechat-push', 'ingest')),
  options TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE metric_readings (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  online INTEGER,
  viewers_uv INTEGER,
  views_pv INTEGER,
  avg_watch REAL,
  products TEXT
) STRICT;
CREATE INDEX metric_readings_ts ON metric_readings(session_id, ts);

-- order_id is text: WeChat order ids exceed 2^53. One row per (session, order id): retries and replays are ignored.
CREATE TABLE metric_orders (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL,
  order_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  amount INTEGER NOT NULL CHECK (amount >= 0),
  product_key TEXT,
  sku TEXT,
  status TEXT NOT NULL,
  UNIQUE (session_id, order_id)
) STRICT;
CREATE INDEX metric_orders_ts ON metric_orders(session_id, ts);

CREATE TABLE metric_comments (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  text TEXT NOT NULL
) STRICT;
CREATE INDEX metric_comments_ts ON metric_comments(session_id, ts);

-- joins (kind 1) and leaves (kind 0)
CREATE TABLE metric_presence (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  viewer_id TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (0, 1))
) STRICT;
CREATE INDEX metric_presence_ts ON metric_presence(session_id, ts);

${rollup('metric_seconds')}
${rollup('metric_minutes')}

-- latest cumulative funnel per product (product_key: LiveCue id as text, or the source's own id)
CREATE TABLE metric_products (
  session_id INTEGER NOT NULL,
  product_key TEXT NOT NULL,
  exposure_uv INTEGER NOT NULL DEFAULT 0,
  click_uv INTEGER NOT NULL DEFAULT 0,
  pay_uv INTEGER NOT NULL DEFAULT 0,
  gmv INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, product_key)
) STRICT, WITHOUT ROWID;

-- WeChat Shop message push: every event stored once, whatever WeChat retries
CREATE TABLE wechat_push_events (
  id INTEGER PRIMARY KEY,
  dedupe_key TEXT NOT NULL UNIQUE,
  session_id INTEGER,
  event TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
) STRICT;
`;
