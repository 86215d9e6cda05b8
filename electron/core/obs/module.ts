// The OBS domain: keeps LiveCue connected to OBS, puts the pinned product of the live session on stream (text sources
// driven over obs-websocket, and the /overlay page for browser sources), fires per-item scene/hotkey cues on pin,
// records stream health into the live session, and applies the 视频号 push address to OBS.
import path from 'node:path';
import type { Product, SessionState } from '../../../shared/domain.ts';
import type { CoreEvent } from '../../../shared/protocol/index.ts';
import type { ItemCue, ObsStatus, OverlayState } from '../../../shared/protocol/obs.ts';
import type { Core } from '../core.ts';
import { priceDisplay } from '../../../shared/present.ts';
import { CoreError } from '../errors.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import { idParam, queryNumber } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import { HealthMeter, HealthRepo, type RecordStatus, type StreamStatus } from './health.ts';
import { type BatchRequest, type LinkOptions, ObsLink, ObsRequestError } from './link.ts';
import { ImageCache, ImageOverlay } from './image-overlay.ts';
import { OverlayFeed } from './overlay-page.ts';
import type { SecretStore } from '../secrets.ts';
import { TextOverlay, pickTextKind } from './text-overlay.ts';

const PASSWORD_SECRET = 'obs.password';
const DEFAULT_URL = 'ws://127.0.0.1:4455';
export const BROWSER_SOURCE_NAME = 'LiveCue 商品卡 Overlay';

export interface ObsModuleOptions extends Partial<ModuleEnv> {
  link?: LinkOptions;
  /** stream health sampling period (default 1000 ms) */
  healthEveryMs?: number;
}

interface CueRow {
  lineup_item_id: number;
  scene_name: string | null;
  hotkey_name: string | null;
}
const toCue = (r: CueRow): ItemCue => ({ lineupItemId: r.lineup_item_id, sceneName: r.scene_name, hotkeyName: r.hotkey_name });

export function overlayOf(session: SessionState): OverlayState | null {
  if (session.status !== 'live' || !session.pinned || !session.segment) return null;
  const p: Product = session.pinned;
  const shown = priceDisplay(p);
  return {
    sessionId: session.id,
    // 仅剩 N 件 on stream only from live stock (the shop, when connected): the catalog's stock is a planning figure and
    // was shown as if it were what is left. No live stock source is connected yet, so no stock line (#13; #11 adds one)
    product: { id: p.id, title: p.title, price: p.price, livePrice: p.livePrice, coupon: p.coupon, stock: null, imageUrl: p.imageUrl },
    display: { price: shown.now, originalPrice: shown.was },
    pinnedAt: session.segment.startedAt,
  };
}

export class ObsModule implements CoreModule {
  readonly name = 'obs';
  readonly link: ObsLink;
  readonly feed = new OverlayFeed();
  private readonly options: ObsModuleOptions;
  private core!: Core;
  private server: CoreServer | undefined;
  private secrets!: SecretStore;
  private health!: HealthRepo;
  private readonly meter = new HealthMeter();
  private text!: TextOverlay;
  private image!: ImageOverlay;
  private images!: ImageCache;
  private hasImageSource = false;
  private imageLoop: Promise<void> | null = null;
  private imageDirty = false;
  private sql!: {
    cue: { get(id: number): CueRow | undefined };
    cues: { all(sessionId: number): CueRow[] };
    upsertCue: { run(...a: unknown[]): unknown };
    deleteCue: { run(id: number): unknown };
    live: { get(): { id: number } | undefined };
  };
  private status!: ObsStatus;
  private overlay: OverlayState | null = null;
  /** the segment the last cue fired for, so a re-apply (reconnect, price edit) never switches scenes again */
  private cuedSegment: number | null = null;
  private pendingCue: BatchRequest[] = [];
  private dirty = false;
  private loop: Promise<void> | null = null;
  private reconnecting: Promise<void> | null = null;
  private healthTimer: NodeJS.Timeout | undefined;
  private sampling = false;
  private unsubscribe: (() => void) | undefined;

  constructor(options: ObsModuleOptions = {}) {
    this.options = options;
    this.link = new ObsLink(options.link);
  }

  attach(core: Core): void {
    this.core = core;
    this.secrets = this.options.secrets ?? core.secrets;
    this.health = new HealthRepo(core.db);
    this.text = new TextOverlay(this.link);
    this.image = new ImageOverlay(this.link);
    this.images = new ImageCache(path.join(core.dataDir, 'obs-images'));
    const db = core.db;
    this.sql = {
      cue: db.prepare<[number], CueRow>('SELECT * FROM obs_item_cues WHERE lineup_item_id = ?'),
      cues: db.prepare<[number], CueRow>(
        'SELECT c.* FROM obs_item_cues c JOIN lineup_items i ON i.id = c.lineup_item_id WHERE i.session_id = ? ORDER BY i.position, i.id',
      ),
      upsertCue: db.prepare(
        `INSERT INTO obs_item_cues (lineup_item_id, scene_name, hotkey_name) VALUES (?, ?, ?)
         ON CONFLICT(lineup_item_id) DO UPDATE SET scene_name = excluded.scene_name, hotkey_name = excluded.hotkey_name`,
      ),
      deleteCue: db.prepare('DELETE FROM obs_item_cues WHERE lineup_item_id = ?'),
      live: db.prepare<[], { id: number }>("SELECT id FROM sessions WHERE status = 'live' ORDER BY started_at DESC, id DESC LIMIT 1"),
    };
    this.status = {
      connection: 'disabled',
      url: this.url(),
      hasPassword: Boolean(this.password()),
      passwordSource: this.env.LIVECUE_OBS_PASSWORD ? 'env' : this.secrets.get(PASSWORD_SECRET) ? 'stored' : 'none',
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
    this.overlay = this.currentOverlay();
    core.addSnapshotPart('obs', () => this.status);
    this.registerHandlers();
    this.link.onState((s) =>
      this.patch({ connection: s.connection, lastError: s.lastError, retryAt: s.retryAt, websocketVersion: s.websocketVersion ?? this.status.websocketVersion }),
    );
    this.link.onConnected(() => {
      const run = this.afterConnect().finally(() => {
        if (this.reconnecting === run) this.reconnecting = null;
      });
      this.reconnecting = run;
      return run;
    });
    this.registerObsEvents();
  }

  routes(server: CoreServer): void {
    this.server = server;
    this.feed.attach(server, () => this.overlay, this.core.resourcesDir);
    server.route('GET', '/api/v1/obs', () => this.core.invoke('obs.status', {}));
    server.route('GET', '/api/v1/sessions/:id/stream-health', (c) => {
      // a bad ?since= answers 400 like every route (the schema refuses the text), never silently reads from 0
      return this.core.invoke('obs.streamHealth', { sessionId: idParam(c), since: queryNumber(c, 'since') });
    });
  }

  start(): void {
    this.unsubscribe = this.core.subscribe((event) => this.onCoreEvent(event));
    if (this.enabled()) this.link.start(this.url(), this.password());
    this.healthTimer = setInterval(() => void this.sampleHealth(), this.options.healthEveryMs ?? 1000);
    this.healthTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    this.unsubscribe?.();
    this.link.stop();
    await this.loop?.catch(() => {});
    this.feed.close();
  }

  /** Resolves once every overlay change made so far has been sent to OBS (or failed). */
  async settled(): Promise<void> {
    while (this.loop || this.reconnecting || this.imageLoop) await (this.reconnecting ?? this.loop ?? this.imageLoop);
  }

  // ── configuration ──────────────────────────────────────────────────────────────────────────────────────────────

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? {};
  }

  private url(): string {
    return this.options.options?.obs ?? this.core.settings.get<string>('obs.url') ?? DEFAULT_URL;
  }

  /** on when --obs is given or the producer configured it; a fresh desk does not probe a port by itself */
  private enabled(): boolean {
    if (this.options.options?.obs) return true;
    return this.core.settings.get<boolean>('obs.enabled') ?? false;
  }

  private password(): string | undefined {
    return this.env.LIVECUE_OBS_PASSWORD || this.secrets.get(PASSWORD_SECRET) || undefined;
  }

  private patch(p: Partial<ObsStatus>): void {
    const next = { ...this.status, ...p };
    if (JSON.stringify(next) === JSON.stringify(this.status)) return;
    this.status = next;
    this.core.emit({ type: 'obs.status', status: next });
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────────────────────────

  private registerHandlers(): void {
    const core = this.core;
    const wrap = <A, R>(fn: (a: A) => Promise<R>) => (a: A) => fn(a).catch((e: unknown) => Promise.reject(toCoreError(e)));
    core.handle('obs.status', () => this.status);
    core.handle('obs.configure', ({ url, password, enabled }) => {
      // a new OBS address would receive the stored password: it is cleared unless a new one comes with it
      const previous = core.settings.get<string>('obs.url') ?? null;
      if (password === undefined && previous !== null && previous !== url) this.secrets.delete(PASSWORD_SECRET);
      if (password !== undefined) this.secrets.set(PASSWORD_SECRET, password === null || password === '' ? null : password);
      core.settings.set('obs.url', url);
      core.settings.set('obs.enabled', enabled);
      this.patch({
        url: this.url(),
        hasPassword: Boolean(this.password()),
        passwordSource: this.env.LIVECUE_OBS_PASSWORD ? 'env' : this.secrets.get(PASSWORD_SECRET) ? 'stored' : 'none',
      });
      if (enabled) this.link.start(this.url(), this.password());
      else this.link.stop();
      return this.status;
    });
    core.handle('obs.reconnect', () => {
      this.link.start(this.url(), this.password());
      return this.status;
    });
    core.handle('obs.setOverlayScene', wrap(async ({ sceneName }) => {
      if (sceneName !== null && this.link.connected && !this.status.scenes.includes(sceneName)) {
        throw new CoreError('not_found', `OBS 中没有场景「${sceneName}」/ OBS has no scene named ${sceneName}`);
      }
      core.settings.set('obs.overlayScene', sceneName);
      this.text.reset();
      this.image.reset();
      this.patch({ overlayScene: sceneName ?? this.status.currentScene });
      this.requestApply();
      await this.settled();
      return this.status;
    }));
    core.handle('obs.addBrowserSource', wrap(async ({ sceneName, width, height }) => {
      this.requireConnected();
      const { inputKinds } = await this.link.call<{ inputKinds: string[] }>('GetInputKindList', { unversioned: false });
      if (!inputKinds.includes('browser_source')) {
        throw new CoreError('conflict', '此 OBS 没有浏览器源（Linux 发行版常见），请使用文字源模式 / this OBS build has no browser source: LiveCue drives text sources instead');
      }
      const url = this.overlayUrl();
      const { inputs } = await this.link.call<{ inputs: { inputName: string }[] }>('GetInputList', { inputKind: 'browser_source' });
      if (inputs.some((i) => i.inputName === BROWSER_SOURCE_NAME)) {
        await this.link.call('SetInputSettings', { inputName: BROWSER_SOURCE_NAME, inputSettings: { url, width, height } });
      } else {
        await this.link.call('CreateInput', {
          sceneName,
          inputName: BROWSER_SOURCE_NAME,
          inputKind: 'browser_source',
          inputSettings: { url, width, height, reroute_audio: false, shutdown: false },
          sceneItemEnabled: true,
        });
      }
      return { inputName: BROWSER_SOURCE_NAME, url };
    }));
    core.handle('obs.setItemCue', ({ lineupItemId, sceneName, hotkeyName }) => {
      core.sessions.item(lineupItemId);
      core.db
        .transaction(() => {
          if (sceneName === null && hotkeyName === null) this.sql.deleteCue.run(lineupItemId);
          else this.sql.upsertCue.run(lineupItemId, sceneName, hotkeyName);
        })
        .immediate();
      const cue: ItemCue = { lineupItemId, sceneName, hotkeyName };
      core.emit({ type: 'obs.cue', cue });
      return cue;
    });
    core.handle('obs.itemCues', ({ sessionId }) => {
      core.sessions.summary(sessionId);
      return this.sql.cues.all(sessionId).map(toCue);
    });
    core.handle('obs.hotkeys', wrap(async () => {
      this.requireConnected();
      const { hotkeys } = await this.link.call<{ hotkeys: string[] }>('GetHotkeyList');
      return hotkeys;
    }));
    core.handle('obs.applyPushAddress', wrap(async ({ server, key }) => {
      this.requireConnected();
      await this.link.call('SetStreamServiceSettings', {
        streamServiceType: 'rtmp_custom',
        streamServiceSettings: { server, key, use_auth: false, bwtest: false },
      });
      // read back what OBS now holds: what the producer sees is what OBS will stream to
      const got = await this.link.call<{ streamServiceType: string; streamServiceSettings: { server?: string; key?: string } }>('GetStreamServiceSettings');
      if (got.streamServiceSettings.server !== server || got.streamServiceSettings.key !== key) {
        throw new CoreError('unavailable', 'OBS 未接受推流设置 / OBS did not keep the stream settings');
      }
      core.settings.set('obs.pushServer', server);
      this.patch({ pushServer: server });
      return { server, keyMasked: maskKey(key), serviceType: got.streamServiceType };
    }));
    core.handle('obs.streamHealth', ({ sessionId, since }) => {
      core.sessions.summary(sessionId);
      return this.health.read(sessionId, since ?? 0);
    });
  }

  private requireConnected(): void {
    if (!this.link.connected) throw new CoreError('unavailable', `OBS 未连接 / OBS is not connected (${this.status.connection})`);
  }

  private overlayUrl(): string {
    const port = this.server?.address.port ?? 17300;
    // the overlay's stream needs a display token (issue 14): the browser source URL carries one (as server.info's)
    return `http://127.0.0.1:${port}/overlay?token=${encodeURIComponent(this.core.displayLinkToken())}`;
  }

  // ── OBS state ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** After every (re)connect: re-read what OBS has, then put the current card back on stream. */
  private async afterConnect(): Promise<void> {
    const [version, kinds, scenes, stream, record] = await Promise.all([
      this.link.call<{ obsVersion: string; obsWebSocketVersion: string }>('GetVersion'),
      this.link.call<{ inputKinds: string[] }>('GetInputKindList', { unversioned: false }),
      this.link.call<{ currentProgramSceneName: string; scenes: { sceneName: string }[] }>('GetSceneList'),
      this.link.call<StreamStatus>('GetStreamStatus'),
      this.link.call<RecordStatus>('GetRecordStatus'),
    ]);
    const sceneNames = scenes.scenes.map((s) => s.sceneName).reverse(); // OBS lists the bottom scene first
    const configured = this.core.settings.get<string>('obs.overlayScene') ?? null;
    this.text.reset();
    this.image.reset();
    this.meter.reset();
    this.hasImageSource = kinds.inputKinds.includes('image_source');
    this.patch({
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
    this.requestApply();
    while (this.loop) await this.loop; // not settled(): that waits for this very step
  }

  private registerObsEvents(): void {
    const link = this.link;
    const refreshScenes = () => {
      void link
        .call<{ currentProgramSceneName: string; scenes: { sceneName: string }[] }>('GetSceneList')
        .then((s) => this.patch({ scenes: s.scenes.map((x) => x.sceneName).reverse(), currentScene: s.currentProgramSceneName }))
        .catch(() => {});
    };
    link.onEvent('CurrentProgramSceneChanged', (d) => this.patch({ currentScene: (d as { sceneName: string }).sceneName }));
    link.onEvent('SceneCreated', refreshScenes);
    link.onEvent('SceneRemoved', refreshScenes);
    link.onEvent('SceneNameChanged', refreshScenes);
    const forget = (d: unknown) => {
      // the producer deleted or renamed one of our inputs: create/adopt them again on the next change
      const name = (d as { inputName?: string; oldInputName?: string }).oldInputName ?? (d as { inputName?: string }).inputName;
      if (name?.startsWith('LiveCue ')) {
        this.text.reset();
        this.image.reset();
      }
    };
    link.onEvent('InputRemoved', forget);
    link.onEvent('InputNameChanged', forget);
    link.onEvent('StreamStateChanged', (d) => this.onOutput('stream', d as { outputActive: boolean; outputState: string }));
    link.onEvent('RecordStateChanged', (d) => this.onOutput('record', d as { outputActive: boolean; outputState: string; outputPath?: string | null }));
  }

  private onOutput(kind: 'stream' | 'record', d: { outputActive: boolean; outputState: string; outputPath?: string | null }): void {
    const outputPath = d.outputPath || null;
    this.patch(kind === 'stream' ? { streaming: d.outputActive } : { recording: d.outputActive, ...(outputPath ? { recordingPath: outputPath } : {}) });
    const live = this.liveSession();
    if (!live) return;
    const event = {
      sessionId: live,
      ts: this.core.now(),
      kind,
      state: String(d.outputState).replace(/^OBS_WEBSOCKET_OUTPUT_/, '').toLowerCase().slice(0, 40),
      active: Boolean(d.outputActive),
      outputPath,
    };
    this.core.db.transaction(() => this.health.addEvent(event)).immediate();
    // the push domain's "stream started" trigger listens for these (docs/push.md)
    if (kind === 'stream' && event.state === 'started') this.core.emit({ type: 'obs.streamStarted', sessionId: live });
    if (kind === 'stream' && event.state === 'stopped') this.core.emit({ type: 'obs.streamStopped', sessionId: live });
  }

  private liveSession(): number | null {
    if (this.overlay) return this.overlay.sessionId;
    return this.sql.live.get()?.id ?? null;
  }

  private async sampleHealth(): Promise<void> {
    if (this.sampling || !this.link.connected) return;
    const sessionId = this.liveSession();
    if (sessionId === null) {
      this.meter.reset();
      return;
    }
    this.sampling = true;
    try {
      const [stream, record] = await this.link.batch([{ requestType: 'GetStreamStatus' }, { requestType: 'GetRecordStatus' }], false, 3000);
      if (!stream?.requestStatus.result || !record?.requestStatus.result) return;
      const sample = this.meter.sample(
        sessionId,
        this.core.now(),
        stream.responseData as unknown as StreamStatus,
        record.responseData as unknown as RecordStatus,
      );
      this.core.db.transaction(() => this.health.add(sample)).immediate();
      this.core.emit({ type: 'obs.health', sample });
    } catch {
      /* the link reports the outage; the next tick tries again */
    } finally {
      this.sampling = false;
    }
  }

  // ── overlay ────────────────────────────────────────────────────────────────────────────────────────────────────

  private currentOverlay(): OverlayState | null {
    for (const s of this.core.sessions.activeStates()) {
      const o = overlayOf(s);
      if (o) return o;
    }
    return null;
  }

  private onCoreEvent(event: CoreEvent): void {
    if (event.type === 'session.changed') {
      const s = event.session;
      const next = overlayOf(s);
      if (next) {
        if (s.segment && s.segment.id !== this.cuedSegment) {
          this.cuedSegment = s.segment.id;
          this.queueCue(s.segment.lineupItemId);
        }
        this.setOverlay(next);
      } else if (this.overlay?.sessionId === s.id) {
        this.setOverlay(this.currentOverlay());
      }
    } else if (event.type === 'product.upserted' && this.overlay?.product.id === event.product.id) {
      // a live price or stock change shows on stream at once
      this.setOverlay(this.currentOverlay());
    }
  }

  private queueCue(lineupItemId: number | null): void {
    if (lineupItemId === null) return;
    const cue = this.sql.cue.get(lineupItemId);
    if (!cue) return;
    const requests: BatchRequest[] = [];
    if (cue.scene_name) requests.push({ requestType: 'SetCurrentProgramScene', requestData: { sceneName: cue.scene_name } });
    if (cue.hotkey_name) requests.push({ requestType: 'TriggerHotkeyByName', requestData: { hotkeyName: cue.hotkey_name } });
    this.pendingCue = requests;
  }

  private setOverlay(next: OverlayState | null): void {
    if (JSON.stringify(next) === JSON.stringify(this.overlay)) {
      if (!this.pendingCue.length) return;
    }
    this.overlay = next;
    this.feed.publish(next);
    this.requestApply();
  }

  private requestApply(): void {
    this.dirty = true;
    if (this.loop) return;
    this.loop = (async () => {
      let retried = false;
      while (this.dirty) {
        this.dirty = false;
        const ok = await this.applyOnce();
        if (!ok && !retried && this.link.connected) {
          // an input vanished under us (deleted in OBS): adopt/create again once
          retried = true;
          this.text.reset();
          this.dirty = true;
        }
      }
    })().finally(() => (this.loop = null));
  }

  /** The image follows the texts on its own loop: a slow image host never holds back the title and price. */
  private requestImage(): void {
    this.imageDirty = true;
    if (this.imageLoop) return;
    this.imageLoop = (async () => {
      while (this.imageDirty) {
        this.imageDirty = false;
        const overlay = this.overlay;
        const scene = this.status.overlayScene ?? this.status.currentScene;
        if (!this.link.connected || !scene || !this.hasImageSource) continue;
        try {
          const url = overlay?.product.imageUrl ?? null;
          const file = url ? await this.images.get(url) : null;
          if (this.overlay !== overlay) {
            this.imageDirty = true; // another pin came meanwhile: show that one's image instead
            continue;
          }
          await this.image.show(scene, file);
        } catch (error) {
          this.core.log(`obs: product image update failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => (this.imageLoop = null));
  }

  private async applyOnce(): Promise<boolean> {
    if (!this.link.connected) return true; // re-applied by afterConnect
    const scene = this.status.overlayScene ?? this.status.currentScene;
    const kind = this.status.textKind;
    const cue = this.pendingCue;
    this.pendingCue = [];
    if (!scene || !kind) return true;
    const overlay = this.overlay;
    try {
      // once the inputs are known, the batch leaves in the same turn as the pin's event (no await before it)
      if (!this.text.isPrepared(scene)) await this.text.prepare(scene, kind);
      const { ok, failures } = await this.text.apply(scene, overlay, cue);
      if (failures.length) this.core.log(`obs: overlay update partly failed: ${failures.join('; ')}`);
      if (!ok) return false;
      this.patch({ overlayProductId: overlay?.product.id ?? null });
      this.requestImage();
      return true;
    } catch (error) {
      this.core.log(`obs: overlay update failed: ${(error as Error).message}`);
      return !this.link.connected;
    }
  }
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
