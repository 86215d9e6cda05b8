export { formatYuan, yuanLabel } from '../../../shared/money.ts';

/** 65_000 → "01:05", 3_700_000 → "1:01:40" */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Segment timer colour: normal, amber from 80 % of the plan, red past it. */
export function timerLevel(elapsedMs: number, plannedMinutes: number | null | undefined): 'ok' | 'warn' | 'over' {
  if (!plannedMinutes) return 'ok';
  const planned = plannedMinutes * 60_000;
  if (elapsedMs > planned) return 'over';
  if (elapsedMs >= planned * 0.8) return 'warn';
  return 'ok';
}
