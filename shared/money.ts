// Money is integer fen everywhere; these are the only conversions to and from yuan text.

/** "99", "99.9", "¥1,299.00" → fen, exactly (no floating point); null when it is not an amount. */
export function parseYuan(text: string): number | null {
  const s = text.trim().replace(/^[¥￥]/, '').replace(/,/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** 12990 → "129.9", 12900 → "129", 5 → "0.05" */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  if (cents === 0) return `${sign}${yuan}`;
  return `${sign}${yuan}.${String(cents).padStart(2, '0').replace(/0$/, '')}`;
}

/** "¥129.9": a price, exact (shown through `price` / `priceDisplay` in shared/present.ts) */
export const yuanLabel = (fen: number) => `¥${formatYuan(fen)}`;
