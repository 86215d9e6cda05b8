// Where a product's image comes from: an http(s) URL as entered, or a file kept in the data folder
// (`/images/<sha256>.<ext>`, served by the core; electron/core/catalog/images.ts) on the core's own origin.
let origin = '';

/** The desktop window loads the UI from a file, so stored images need the core server's address (set by the api). */
export function setImageOrigin(value: string): void {
  origin = value.replace(/\/$/, '');
}

export function productImageSrc(p: { imageUrl: string | null }): string | null {
  const url = p.imageUrl;
  if (!url) return null;
  if (/^https?:\/\//i.test(url)) return url;
  if (/^\/images\/[0-9a-f]{64}\.(?:jpg|png|webp|gif)$/.test(url)) return `${origin}${url}`;
  return null;
}
