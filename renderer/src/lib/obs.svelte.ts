// OBS state for the views: the status from the snapshot (ext.obs) and obs.status events, the latest health sample.
import type { HealthSample, ObsStatus } from '../../../shared/protocol/obs.ts';
import { getDesk, type Desk } from './desk.svelte.ts';

export class ObsStore {
  status = $state.raw<ObsStatus | null>(null);
  health = $state.raw<HealthSample | null>(null);

  constructor(desk: Desk) {
    desk.onEvent((e) => {
      if (e.type === 'snapshot') this.status = e.snapshot.ext.obs ?? null;
      else if (e.type === 'obs.status') this.status = e.status;
      else if (e.type === 'obs.health') this.health = e.sample;
    });
  }
}

export const createObs = (desk: Desk): ObsStore => new ObsStore(desk);
/** this desk's OBS store (call during component initialisation) */
export const getObs = (): ObsStore => getDesk().store(createObs);
