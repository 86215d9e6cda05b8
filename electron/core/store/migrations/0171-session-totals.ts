// 0171: one row of running totals per session (peak online, cumulative viewers and funnel maxima, joins, orders, GMV),
// kept in the ingest transaction beside the per-minute rollup it summarizes, so the review list of hundreds of sessions
// reads one row each instead of aggregating every minute of every session (issue 17). Every column is a max() or a sum
// of metric_minutes' columns of the same name, so the backfill below and the running upsert give the same values.
export const sql = `
CREATE TABLE metric_session_totals (
  session_id INTEGER PRIMARY KEY,
  online_max INTEGER NOT NULL DEFAULT 0,
  has_uv INTEGER NOT NULL DEFAULT 0,
  uv_cum INTEGER NOT NULL DEFAULT 0,
  exp_cum INTEGER NOT NULL DEFAULT 0,
  pay_cum INTEGER NOT NULL DEFAULT 0,
  rgmv_cum INTEGER NOT NULL DEFAULT 0,
  joins INTEGER NOT NULL DEFAULT 0,
  orders INTEGER NOT NULL DEFAULT 0,
  gmv INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO metric_session_totals (session_id, online_max, has_uv, uv_cum, exp_cum, pay_cum, rgmv_cum, joins, orders, gmv)
SELECT session_id, max(online_max), max(has_uv), max(uv_cum), max(exp_cum), max(pay_cum), max(rgmv_cum), sum(joins), sum(orders), sum(gmv)
FROM metric_minutes GROUP BY session_id;
`;
