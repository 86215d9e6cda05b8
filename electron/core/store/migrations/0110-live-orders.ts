// 0110 (#11): where an order was placed — the live room ('live', WeChat order_scene 2) or elsewhere during the session
// ('other': 橱窗, short videos, 公众号…, kept apart as 非直播间成交) — and when its status last changed (refunds,
// cancellations and late payments are applied when they happen). Append-only.
export const sql = `
ALTER TABLE metric_orders ADD COLUMN scene TEXT NOT NULL DEFAULT 'live' CHECK (scene IN ('live', 'other'));
ALTER TABLE metric_orders ADD COLUMN updated_at INTEGER;
`;
