// 0004: push — channels (chat-group robots), templates, trigger rules, pushes and their outbox (one delivery per
// push × channel × part), and the request log the rate limiter reads back after a restart. Append-only.
export const sql = `
CREATE TABLE push_channels (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;

CREATE TABLE push_templates (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('text', 'markdown', 'card')),
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;

CREATE TABLE push_rules (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'stream_start', 'hot_pin')),
  offset_minutes INTEGER CHECK (offset_minutes > 0),
  template_id INTEGER NOT NULL REFERENCES push_templates(id),
  tags TEXT NOT NULL DEFAULT '[]',
  enabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER,
  CHECK (kind <> 'reminder' OR offset_minutes IS NOT NULL)
) STRICT;

CREATE TABLE push_session_links (
  session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
  link TEXT NOT NULL
) STRICT;

CREATE TABLE pushes (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'reminder', 'stream_start', 'hot_pin')),
  rule_id INTEGER REFERENCES push_rules(id),
  format TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  link TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX pushes_session ON pushes(session_id, created_at);
-- a trigger rule fires at most once per session, enforced by the database itself
CREATE UNIQUE INDEX pushes_rule_once ON pushes(session_id, rule_id) WHERE rule_id IS NOT NULL;

CREATE TABLE push_deliveries (
  id INTEGER PRIMARY KEY,
  push_id INTEGER NOT NULL REFERENCES pushes(id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES push_channels(id),
  part TEXT NOT NULL CHECK (part IN ('message', 'qr')),
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed', 'unknown')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER,
  updated_at INTEGER NOT NULL,
  UNIQUE (push_id, channel_id, part)
) STRICT;
CREATE INDEX push_deliveries_due ON push_deliveries(status, next_attempt_at);

CREATE TABLE push_requests (
  channel_id INTEGER NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX push_requests_channel ON push_requests(channel_id, at);

INSERT INTO push_templates (id, name, format, title, body, updated_at) VALUES
  (1, '开播提醒', 'card', '【{{liveStatus}}】{{title}}',
   '{{startTime}} 开播，直播间福利先到先得！\n点击进入直播间：{{link}}', 0),
  (2, '正在直播', 'card', '🔴 正在直播：{{title}}',
   '主播已开播，快来直播间抢福利！\n{{link}}', 0),
  (3, '爆款上架', 'card', '🔥 爆款上架：{{product}}',
   '直播价 {{livePrice}}，{{coupon}}\n数量有限，马上进直播间：{{link}}', 0);

INSERT INTO push_rules (kind, offset_minutes, template_id, enabled, created_at) VALUES
  ('reminder', 30, 1, 0, 0),
  ('reminder', 5, 1, 0, 0),
  ('stream_start', NULL, 2, 0, 0),
  ('hot_pin', NULL, 3, 0, 0);
`;
