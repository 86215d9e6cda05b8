// One shared 4 Hz clock for every timer on screen, on the desk's server-corrected time; one per desk (getTick()).
import { getDesk, type Desk } from './desk.svelte.ts';

export class Tick {
  now = $state(0);
  constructor(desk: Desk) {
    this.now = desk.now();
    const timer = setInterval(() => (this.now = desk.now()), 250);
    desk.onDestroy(() => clearInterval(timer));
  }
}

export const createTick = (desk: Desk): Tick => new Tick(desk);
/** this desk's clock (call during component initialisation) */
export const getTick = (): Tick => getDesk().store(createTick);
