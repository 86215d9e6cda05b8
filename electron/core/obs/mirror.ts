// Keeps the status in step with OBS: after every (re)connect a fresh read of what OBS has (versions, input kinds,
// scenes, outputs) before the card is put back on stream, and OBS's own events afterwards.
import type { Core } from '../core.ts';
import type { RecordStatus, StreamStatus } from './health.ts';
import type { ObsLink } from './link.ts';
import type { OutputChange, OutputWatch } from './outputs.ts';
import type { OverlayDriver } from './overlay.ts';
import type { StatusBoard } from './status.ts';
import { pickTextKind } from './text-overlay.ts';

type SceneList = { currentProgramSceneName: string; scenes: { sceneName: string }[] };

export class ObsMirror {
  private readonly core: Core;
  private readonly link: ObsLink;
  private readonly status: StatusBoard;
  private readonly overlay: OverlayDriver;
  private readonly outputs: OutputWatch;

  constructor(core: Core, link: ObsLink, status: StatusBoard, overlay: OverlayDriver, outputs: OutputWatch) {
    this.core = core;
    this.link = link;
    this.status = status;
    this.overlay = overlay;
    this.outputs = outputs;
  }

  /** After every (re)connect: re-read what OBS has, then put the current card back on stream. */
  async afterConnect(): Promise<void> {
    const link = this.link;
    const [version, kinds, scenes, stream, record] = await Promise.all([
      link.call<{ obsVersion: string; obsWebSocketVersion: string }>('GetVersion'),
      link.call<{ inputKinds: string[] }>('GetInputKindList', { unversioned: false }),
      link.call<SceneList>('GetSceneList'),
      link.call<StreamStatus>('GetStreamStatus'),
      link.call<RecordStatus>('GetRecordStatus'),
    ]);
    const sceneNames = scenes.scenes.map((s) => s.sceneName).reverse(); // OBS lists the bottom scene first
    const configured = this.core.settings.get<string>('obs.overlayScene') ?? null;
    this.overlay.resetInputs();
    this.outputs.resetMeter();
    this.overlay.hasImageSource = kinds.inputKinds.includes('image_source');
    this.status.patch({
      obsVersion: version.obsVersion,
      websocketVersion: version.obsWebSocketVersion,
      textKind: pickTextKind(kinds.inputKinds),
      hasBrowserSource: kinds.inputKinds.includes('browser_source'),
      scenes: sceneNames,
      currentScene: scenes.currentProgramSceneName,
      overlayScene: configured && sceneNames.includes(configured) ? configured : scenes.currentProgramSceneName,
      streaming: stream.outputActive,
      recording: record.outputActive,
    });
    this.overlay.requestApply();
    while (this.overlay.loop) await this.overlay.loop; // not settled(): that waits for this very step
  }

  /** OBS events that change the status, the inputs LiveCue drives, or the outputs */
  listen(): void {
    const link = this.link;
    const refreshScenes = () => {
      void link
        .call<SceneList>('GetSceneList')
        .then((s) => this.status.patch({ scenes: s.scenes.map((x) => x.sceneName).reverse(), currentScene: s.currentProgramSceneName }))
        .catch(() => {});
    };
    link.onEvent('CurrentProgramSceneChanged', (d) => this.status.patch({ currentScene: (d as { sceneName: string }).sceneName }));
    link.onEvent('SceneCreated', refreshScenes);
    link.onEvent('SceneRemoved', refreshScenes);
    link.onEvent('SceneNameChanged', refreshScenes);
    const forget = (d: unknown) => {
      // the producer deleted or renamed one of our inputs: create/adopt them again on the next change
      const name = (d as { inputName?: string; oldInputName?: string }).oldInputName ?? (d as { inputName?: string }).inputName;
      if (name?.startsWith('LiveCue ')) this.overlay.resetInputs();
    };
    link.onEvent('InputRemoved', forget);
    link.onEvent('InputNameChanged', forget);
    link.onEvent('StreamStateChanged', (d) => this.outputs.onOutput('stream', d as OutputChange));
    link.onEvent('RecordStateChanged', (d) => this.outputs.onOutput('record', d as OutputChange));
  }
}
