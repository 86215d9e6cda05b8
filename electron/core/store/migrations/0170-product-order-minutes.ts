// 0170: paid orders per product per minute, kept in the ingest transaction beside the other rollups, so the report's
// per-product table and each segment's orders sum a few hundred rows instead of grouping every raw order (issue 17).
// A product is named by LiveCue id / the source's own id (product_key) or, when the order carries none, by its SKU:
// exactly one of the two is non-empty. Keyed product first: the per-product totals stream in key order and one
// product's minutes in a segment are one range. The backfill derives the rows of sessions recorded before this migration.
export const sql = `
CREATE TABLE metric_product_minutes (
  session_id INTEGER NOT NULL,
  product_key TEXT NOT NULL DEFAULT '',
  sku TEXT NOT NULL DEFAULT '',
  t INTEGER NOT NULL,
  orders INTEGER NOT NULL DEFAULT 0,
  gmv INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, product_key, sku, t)
) STRICT, WITHOUT ROWID;

INSERT INTO metric_product_minutes (session_id, product_key, sku, t, orders, gmv)
SELECT session_id, coalesce(product_key, ''), CASE WHEN product_key IS NULL THEN sku ELSE '' END, ts - ts % 60000, count(*), sum(amount)
FROM metric_orders
WHERE status IN ('paid', 'shipped', 'completed') AND scene = 'live' AND (product_key IS NOT NULL OR sku IS NOT NULL)
GROUP BY 1, 2, 3, 4;
`;
