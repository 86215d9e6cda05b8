// #11: where a view gets a product's picture. A 微信小店 product's main image was downloaded once into the data folder
// and is served by the core at /media/products/:id; any other product's (or a failed download's) is its own https URL.
// Use: <img src={productImageSrc(p)} onerror={(e) => productImageFallback(e, p)} /> (catalog, lineup, host display).
import type { Product } from '../../../shared/domain.ts';

export function productImageSrc(p: Pick<Product, 'id' | 'imageUrl'>): string | null {
  return p.imageUrl ? `/media/products/${p.id}` : null;
}

/** the served copy is missing: fall back to the product's https URL once, else hide the image */
export function productImageFallback(e: Event, p: Pick<Product, 'imageUrl'>): void {
  const img = e.currentTarget as HTMLImageElement;
  const url = p.imageUrl;
  if (url && /^https:\/\//i.test(url) && img.src !== url) img.src = url;
  else img.hidden = true;
}
