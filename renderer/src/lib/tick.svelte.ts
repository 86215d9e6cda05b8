// One shared 4 Hz clock for every timer on screen.
import { desk } from './desk.svelte.ts';

class Tick {
  now = $state(desk.now());
  constructor() {
    setInterval(() => (this.now = desk.now()), 250);
  }
}
export const tick = new Tick();
