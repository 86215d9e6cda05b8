// The obs commands (shared/protocol/obs.ts). OBS-side failures reach the producer as clear errors (toCoreError).
import type { ItemCue } from '../../../shared/protocol/obs.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { CueRepo } from './cues.ts';
import { type ObsLink, ObsRequestError } from './link.ts';
import type { OutputWatch } from './outputs.ts';
import type { OverlayDriver } from './overlay.ts';
import type { ObsSettings } from './settings.ts';
import type { StatusBoard } from './status.ts';

export const BROWSER_SOURCE_NAME = 'LiveCue 商品卡 Overlay';

export interface ObsHandlerDeps {
  link: ObsLink;
  settings: ObsSettings;
  status: StatusBoard;
  overlay: OverlayDriver;
  cues: CueRepo;
  outputs: OutputWatch;
  /** the /overlay page's URL for a browser source (with a display token) */
  overlayUrl: () => string;
  /** resolves once every overlay change made so far has reached OBS (or failed) */
  settled: () => Promise<void>;
}

export function registerObsHandlers(core: Core, deps: ObsHandlerDeps): void {
  const { link, settings, status, overlay, cues, outputs } = deps;
  const wrap =
    <A, R>(fn: (a: A) => Promise<R>) =>
    (a: A) =>
      fn(a).catch((e: unknown) => Promise.reject(toCoreError(e)));
  const requireConnected = () => {
    if (!link.connected) throw new CoreError('unavailable', `OBS 未连接 / OBS is not connected (${status.current.connection})`);
  };

  core.handle('obs.status', () => status.current);
  core.handle('obs.configure', ({ url, password, enabled }) => {
    settings.configure(url, password, enabled);
    status.patch({ url: settings.url(), ...settings.passwordState() });
    if (enabled) link.start(settings.url(), settings.password());
    else link.stop();
    return status.current;
  });
  core.handle('obs.reconnect', () => {
    link.start(settings.url(), settings.password());
    return status.current;
  });
  core.handle(
    'obs.setOverlayScene',
    wrap(async ({ sceneName }) => {
      if (sceneName !== null && link.connected && !status.current.scenes.includes(sceneName)) {
        throw new CoreError('not_found', `OBS 中没有场景「${sceneName}」/ OBS has no scene named ${sceneName}`);
      }
      core.settings.set('obs.overlayScene', sceneName);
      overlay.resetInputs();
      status.patch({ overlayScene: sceneName ?? status.current.currentScene });
      overlay.requestApply();
      await deps.settled();
      return status.current;
    }),
  );
  core.handle(
    'obs.addBrowserSource',
    wrap(async ({ sceneName, width, height }) => {
      requireConnected();
      const { inputKinds } = await link.call<{ inputKinds: string[] }>('GetInputKindList', { unversioned: false });
      if (!inputKinds.includes('browser_source')) {
        throw new CoreError(
          'conflict',
          '此 OBS 没有浏览器源（Linux 发行版常见），请使用文字源模式 / this OBS build has no browser source: LiveCue drives text sources instead',
        );
      }
      const url = deps.overlayUrl();
      const { inputs } = await link.call<{ inputs: { inputName: string }[] }>('GetInputList', { inputKind: 'browser_source' });
      if (inputs.some((i) => i.inputName === BROWSER_SOURCE_NAME)) {
        await link.call('SetInputSettings', { inputName: BROWSER_SOURCE_NAME, inputSettings: { url, width, height } });
      } else {
        await link.call('CreateInput', {
          sceneName,
          inputName: BROWSER_SOURCE_NAME,
          inputKind: 'browser_source',
          inputSettings: { url, width, height, reroute_audio: false, shutdown: false },
          sceneItemEnabled: true,
        });
      }
      return { inputName: BROWSER_SOURCE_NAME, url };
    }),
  );
  core.handle('obs.setItemCue', ({ lineupItemId, sceneName, hotkeyName }) => {
    core.sessions.item(lineupItemId);
    const cue: ItemCue = { lineupItemId, sceneName, hotkeyName };
    cues.set(cue);
    core.emit({ type: 'obs.cue', cue });
    return cue;
  });
  core.handle('obs.itemCues', ({ sessionId }) => {
    core.sessions.summary(sessionId);
    return cues.list(sessionId);
  });
  core.handle(
    'obs.hotkeys',
    wrap(async () => {
      requireConnected();
      const { hotkeys } = await link.call<{ hotkeys: string[] }>('GetHotkeyList');
      return hotkeys;
    }),
  );
  core.handle(
    'obs.applyPushAddress',
    wrap(async ({ server, key }) => {
      requireConnected();
      await link.call('SetStreamServiceSettings', {
        streamServiceType: 'rtmp_custom',
        streamServiceSettings: { server, key, use_auth: false, bwtest: false },
      });
      // read back what OBS now holds: what the producer sees is what OBS will stream to
      const got = await link.call<{ streamServiceType: string; streamServiceSettings: { server?: string; key?: string } }>(
        'GetStreamServiceSettings',
      );
      if (got.streamServiceSettings.server !== server || got.streamServiceSettings.key !== key) {
        throw new CoreError('unavailable', 'OBS 未接受推流设置 / OBS did not keep the stream settings');
      }
      core.settings.set('obs.pushServer', server);
      status.patch({ pushServer: server });
      return { server, keyMasked: maskKey(key), serviceType: got.streamServiceType };
    }),
  );
  core.handle('obs.streamHealth', ({ sessionId, since }) => {
    core.sessions.summary(sessionId);
    return outputs.health.read(sessionId, since ?? 0);
  });
}

/** OBS-side failures reach the producer as clear errors: OBS away → 503, OBS refused the request → 409. */
function toCoreError(error: unknown): unknown {
  if (!(error instanceof ObsRequestError)) return error;
  if (error.code < 0) return new CoreError('unavailable', error.message);
  if (error.code === 600) return new CoreError('not_found', `OBS: ${error.message}`);
  return new CoreError('conflict', `OBS 拒绝了请求 / OBS refused: ${error.message} (${error.code})`);
}

function maskKey(key: string): string {
  return key.length <= 6 ? '••••' : `${key.slice(0, 3)}••••${key.slice(-3)}`;
}
