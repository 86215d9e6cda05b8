// The OBS status every view shows (snapshot part `obs`, event `obs.status`): changed only through patch(), which emits
// only a real change.
import type { ObsStatus } from '../../../shared/protocol/obs.ts';
import type { Core } from '../core.ts';
import type { ObsSettings } from './settings.ts';

export class StatusBoard {
  private readonly core: Core;
  current: ObsStatus;

  constructor(core: Core, settings: ObsSettings) {
    this.core = core;
    this.current = {
      connection: 'disabled',
      url: settings.url(),
      ...settings.passwordState(),
      lastError: null,
      retryAt: null,
      obsVersion: null,
      websocketVersion: null,
      scenes: [],
      currentScene: null,
      textKind: null,
      hasBrowserSource: false,
      streaming: false,
      recording: false,
      overlayScene: core.settings.get<string>('obs.overlayScene') ?? null,
      overlayProductId: null,
      recordingPath: null,
      pushServer: core.settings.get<string>('obs.pushServer') ?? null,
    };
  }

  patch(p: Partial<ObsStatus>): void {
    const next = { ...this.current, ...p };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.core.emit({ type: 'obs.status', status: next });
  }

  /** the scene the product card goes to: the chosen one, else the scene on program */
  overlayScene(): string | null {
    return this.current.overlayScene ?? this.current.currentScene;
  }
}
