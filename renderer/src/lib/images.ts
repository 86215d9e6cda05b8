// Where a product's image comes from: an http(s) URL as entered, or a file kept in the data folder
// (`/images/<sha256>.<ext>`, served by the core; electron/core/images.ts) on the core's own origin.
let origin = '';

/** The desktop window loads the UI from a file, so stored images need the core server's address (set by the api). */
export function setImageOrigin(value: string): void {
  origin = value.replace(/\/$/, '');
}

/**
 * An uploaded image as it is; an http(s) image through the core's `/media/products/:id` (#11: a 微信小店 product's
 * picture downloaded once into the data folder; for any other product the core redirects to the URL itself).
 */
export function productImageSrc(p: { id: number; imageUrl: string | null }): string | null {
  const url = p.imageUrl;
  if (url && /^https?:\/\//i.test(url)) return `${origin}/media/products/${p.id}`;
  return imageRefSrc(url);
}

/** an image reference not (yet) saved on a product, e.g. the one typed in the product form */
export function imageRefSrc(url: string | null): string | null {
  if (!url) return null;
  if (/^https?:\/\//i.test(url)) return url;
  if (/^\/images\/[0-9a-f]{64}\.(?:jpg|png|webp|gif)$/.test(url)) return `${origin}${url}`;
  return null;
}
