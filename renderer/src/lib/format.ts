// The renderer's one door to the presentation module (shared/present.ts: money, percent, time, the price rule), which
// the core also uses for the OBS overlay and push texts. Views import from here, never format numbers themselves.
export { formatYuan, yuanLabel } from '../../../shared/money.ts';
export * from '../../../shared/present.ts';

/** Segment timer colour: normal, amber from 80 % of the plan, red past it. */
export function timerLevel(elapsedMs: number, plannedMinutes: number | null | undefined): 'ok' | 'warn' | 'over' {
  if (!plannedMinutes) return 'ok';
  const planned = plannedMinutes * 60_000;
  if (elapsedMs > planned) return 'over';
  if (elapsedMs >= planned * 0.8) return 'warn';
  return 'ok';
}
