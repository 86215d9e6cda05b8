// OBS state for the views: the status from the snapshot (ext.obs) and obs.status events, the latest health sample.
import type { HealthSample, ObsStatus } from '../../../shared/protocol/obs.ts';
import { desk } from './desk.svelte.ts';

class ObsStore {
  status = $state.raw<ObsStatus | null>(null);
  health = $state.raw<HealthSample | null>(null);

  constructor() {
    desk.onEvent((e) => {
      if (e.type === 'snapshot') this.status = e.snapshot.ext.obs ?? null;
      else if (e.type === 'obs.status') this.status = e.status;
      else if (e.type === 'obs.health') this.health = e.sample;
    });
  }
}

export const obs = new ObsStore();
