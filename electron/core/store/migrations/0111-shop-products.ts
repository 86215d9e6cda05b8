// 0111 (#11): catalog products imported from the 微信小店 (by its product_id), with what the shop said about them
// (price range, stock, status, main image) and the cached product links (H5 link, 微信口令, QR code). Append-only.
export const sql = `
CREATE TABLE shop_products (
  shop_product_id TEXT PRIMARY KEY,
  product_id INTEGER NOT NULL UNIQUE REFERENCES products(id),
  min_price INTEGER NOT NULL CHECK (min_price >= 0),
  max_price INTEGER NOT NULL CHECK (max_price >= min_price),
  stock INTEGER,
  status INTEGER NOT NULL,
  image_url TEXT,
  image_file TEXT,
  fetched_at INTEGER NOT NULL,
  links TEXT,
  links_fetched_at INTEGER
) STRICT;
`;
