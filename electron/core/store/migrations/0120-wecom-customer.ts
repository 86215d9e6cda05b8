// 0120: WeCom customer groups (客户群) and 朋友圈 tasks, the session's entry point, rehearsal permission. Append-only.
// Customer groups are cached from groupchat/list + get with the producer's own tags. A mass-send is one task per owner
// (WeCom sends nothing until the owner confirms: doc 92135); each task has one row per group it targets.
// 'creating' is committed BEFORE add_msg_template / add_moment_task is called: after a crash such a task is looked up
// in WeCom (get_groupmsg_list_v2 / get_moment_list), never created a second time.
export const sql = `
CREATE TABLE wecom_groups (
  chat_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  member_count INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  gone INTEGER NOT NULL DEFAULT 0,
  refreshed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE wecom_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  -- the group's receive rule set in WeCom 群发助手 › 设置群发规则 (doc 92135): month = days of the month, week = 7, day = 1
  quota_rule TEXT NOT NULL DEFAULT 'month' CHECK (quota_rule IN ('month', 'week', 'day'))
) STRICT;
INSERT INTO wecom_settings (id) VALUES (1);

CREATE TABLE wecom_tasks (
  id INTEGER PRIMARY KEY,
  push_id INTEGER NOT NULL REFERENCES pushes(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('group', 'moment')),
  -- group: the owner who must confirm; moment: the members asked to publish (JSON array)
  owner TEXT NOT NULL,
  body TEXT NOT NULL,
  with_poster INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'creating', 'lookup', 'created', 'done', 'failed', 'unknown')),
  msgid TEXT,
  jobid TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  creating_at INTEGER,
  next_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX wecom_tasks_due ON wecom_tasks(status, next_at);
CREATE UNIQUE INDEX wecom_tasks_msgid ON wecom_tasks(msgid) WHERE msgid IS NOT NULL;

CREATE TABLE wecom_task_targets (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES wecom_tasks(id) ON DELETE CASCADE,
  -- a customer group's chat_id, or a member's userid for 朋友圈
  target TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'awaiting_confirmation', 'sent', 'failed', 'over_quota', 'unknown')),
  last_error TEXT,
  sent_at INTEGER,
  updated_at INTEGER NOT NULL,
  UNIQUE (task_id, target)
) STRICT;

CREATE TABLE push_session_entries (
  session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
  -- NULL: no entry point (the row may still carry the rehearsal permission)
  kind TEXT CHECK (kind IS NULL OR kind IN ('notice', 'miniprogram', 'link')),
  -- notice: the 直播预约 notice_id; miniprogram: appid; link: the pasted URL
  value TEXT,
  -- miniprogram: the page path; notice: its title
  extra TEXT,
  allow_rehearsal_push INTEGER NOT NULL DEFAULT 0
) STRICT;
`;
