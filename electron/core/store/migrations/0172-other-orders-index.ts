// 0172: the report's "orders outside the live room" figure (scene 'other': 橱窗, short videos, 公众号; issue 11) read
// every order of the session through metric_orders_ts to find none or a few: 10 ms of a 40–60 ms cold 8-hour report
// (issue 17 profile). A partial index holds only those rows, so it costs the live-room ingest nothing and the query
// reads just them (SQLite "Partial Indexes": used when the query's WHERE implies the index's; covering with amount).
export const sql = `
CREATE INDEX metric_orders_other ON metric_orders (session_id, status, amount) WHERE scene = 'other';
`;
