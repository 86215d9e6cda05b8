// Ctrl+Z for the on-air keys: what was on pin before each pin / NEXT / UNPIN the producer fired, per session. Undo
// does not rewrite history: it asks the core for a new pin (or an unpin) that restores what was showing, and that new
// segment is recorded like any other (#13).
import type { Segment } from '../../../shared/domain.ts';

/** what was showing: a lineup item, a product pinned outside the lineup, or nothing */
export type PinTarget = { lineupItemId: number } | { productId: number } | null;

export function targetOf(segment: Pick<Segment, 'lineupItemId' | 'productId'> | null): PinTarget {
  if (!segment) return null;
  return segment.lineupItemId !== null ? { lineupItemId: segment.lineupItemId } : { productId: segment.productId };
}

export class PinHistory {
  private readonly stacks = new Map<number, PinTarget[]>();
  private readonly limit: number;
  constructor(limit = 50) {
    this.limit = limit;
  }

  /** call before sending a pin / next / unpin, with the segment on pin at that moment */
  record(sessionId: number, before: Pick<Segment, 'lineupItemId' | 'productId'> | null): void {
    const stack = this.stacks.get(sessionId) ?? [];
    stack.push(targetOf(before));
    if (stack.length > this.limit) stack.shift();
    this.stacks.set(sessionId, stack);
  }

  /** the target to restore, or undefined when there is nothing to undo */
  pop(sessionId: number): PinTarget | undefined {
    const stack = this.stacks.get(sessionId);
    return stack && stack.length ? stack.pop() : undefined;
  }

  size(sessionId: number): number {
    return this.stacks.get(sessionId)?.length ?? 0;
  }
}

/** Is this key event aimed at a text field (the on-air keys are off while the producer types)? */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as { closest?: (s: string) => unknown } | null;
  return Boolean(el?.closest?.('input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select, [contenteditable]:not([contenteditable=false])'));
}
