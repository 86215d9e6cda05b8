// The OBS domain wired into the core: keeps LiveCue connected to OBS (link.ts, settings.ts, mirror.ts, status.ts),
// puts the pinned product of the live session on stream (overlay.ts: text and image sources over obs-websocket, and the
// /overlay page for browser sources, overlay-page.ts), fires per-item scene/hotkey cues on pin (cues.ts), records the
// outputs and stream health into the live session (outputs.ts), and applies the 视频号 push address to OBS (handlers.ts).
import type { Core } from '../core.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import type { CoreServer } from '../server/server.ts';
import type { ObsApi } from '../obs-api.ts';
import { createObsApi } from './api.ts';
import { CueRepo } from './cues.ts';
import { registerObsHandlers } from './handlers.ts';
import { type LinkOptions, ObsLink } from './link.ts';
import { ObsMirror } from './mirror.ts';
import { OutputWatch } from './outputs.ts';
import { OverlayDriver } from './overlay.ts';
import { OverlayFeed } from './overlay-page.ts';
import { obsRoutes } from './routes.ts';
import { ObsSettings } from './settings.ts';
import { StatusBoard } from './status.ts';

export { BROWSER_SOURCE_NAME } from './handlers.ts';
export { overlayOf } from './overlay.ts';

export interface ObsModuleOptions extends Partial<ModuleEnv> {
  link?: LinkOptions;
  /** stream health sampling period (default 1000 ms) */
  healthEveryMs?: number;
}

export class ObsModule implements CoreModule {
  readonly name = 'obs';
  readonly link: ObsLink;
  readonly feed = new OverlayFeed();
  private readonly options: ObsModuleOptions;
  private core!: Core;
  /** what the review domain reads through (electron/core/obs-api.ts); usable once the module is attached */
  readonly api: ObsApi = createObsApi(() => this.core.db);
  private server: CoreServer | undefined;
  private settings!: ObsSettings;
  private status!: StatusBoard;
  private overlay!: OverlayDriver;
  private outputs!: OutputWatch;
  private reconnecting: Promise<void> | null = null;
  private unsubscribe: (() => void) | undefined;

  constructor(options: ObsModuleOptions = {}) {
    this.options = options;
    this.link = new ObsLink(options.link);
  }

  attach(core: Core): void {
    this.core = core;
    this.settings = new ObsSettings(core, this.options.secrets ?? core.secrets, this.options.env ?? {}, this.options.options?.obs);
    this.status = new StatusBoard(core, this.settings);
    const cues = new CueRepo(core.db);
    this.overlay = new OverlayDriver(core, this.link, this.status, cues, this.feed);
    this.outputs = new OutputWatch(core, this.link, this.status, () => this.overlay.current?.sessionId ?? null);
    const mirror = new ObsMirror(core, this.link, this.status, this.overlay, this.outputs);
    core.addSnapshotPart('obs', () => this.status.current);
    registerObsHandlers(core, {
      link: this.link,
      settings: this.settings,
      status: this.status,
      overlay: this.overlay,
      cues,
      outputs: this.outputs,
      overlayUrl: () => this.overlayUrl(),
      settled: () => this.settled(),
    });
    this.link.onState((s) =>
      this.status.patch({
        connection: s.connection,
        lastError: s.lastError,
        retryAt: s.retryAt,
        websocketVersion: s.websocketVersion ?? this.status.current.websocketVersion,
      }),
    );
    this.link.onConnected(() => {
      const run = mirror.afterConnect().finally(() => {
        if (this.reconnecting === run) this.reconnecting = null;
      });
      this.reconnecting = run;
      return run;
    });
    mirror.listen();
  }

  routes(server: CoreServer): void {
    this.server = server;
    this.feed.attach(server, () => this.overlay.current, this.core.resourcesDir);
    obsRoutes(server, this.core);
  }

  start(): void {
    this.unsubscribe = this.core.subscribe((event) => this.overlay.onCoreEvent(event));
    if (this.settings.enabled()) this.link.start(this.settings.url(), this.settings.password());
    this.outputs.start(this.options.healthEveryMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.outputs.stop();
    this.unsubscribe?.();
    this.link.stop();
    await this.overlay.loop?.catch(() => {});
    this.feed.close();
  }

  /** Resolves once every overlay change made so far has been sent to OBS (or failed). */
  async settled(): Promise<void> {
    while (this.overlay.loop || this.reconnecting || this.overlay.imageLoop)
      await (this.reconnecting ?? this.overlay.loop ?? this.overlay.imageLoop);
  }

  private overlayUrl(): string {
    const port = this.server?.address.port ?? 17300;
    // the overlay's stream needs a display token (issue 14): the browser source URL carries one (as server.info's)
    return `http://127.0.0.1:${port}/overlay?token=${encodeURIComponent(this.core.displayLinkToken())}`;
  }
}
