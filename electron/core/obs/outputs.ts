// The live session's stream and record outputs: their state changes (stored, and `obs.streamStarted/Stopped` for the
// push domain's trigger) and the stream health sampled every second into the session (bitrate, dropped frames).
import type { Core } from '../core.ts';
import { HealthMeter, HealthRepo, type RecordStatus, type StreamStatus } from './health.ts';
import type { ObsLink } from './link.ts';
import type { StatusBoard } from './status.ts';

export interface OutputChange {
  outputActive: boolean;
  outputState: string;
  outputPath?: string | null;
}

export class OutputWatch {
  private readonly core: Core;
  private readonly link: ObsLink;
  private readonly status: StatusBoard;
  /** the session whose card is on stream, if any (it is the live one) */
  private readonly overlaySession: () => number | null;
  readonly health: HealthRepo;
  private readonly meter = new HealthMeter();
  private readonly liveQuery: { get(): { id: number } | undefined };
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;

  constructor(core: Core, link: ObsLink, status: StatusBoard, overlaySession: () => number | null) {
    this.core = core;
    this.link = link;
    this.status = status;
    this.overlaySession = overlaySession;
    this.health = new HealthRepo(core.db);
    this.liveQuery = core.db.prepare<[], { id: number }>(
      "SELECT id FROM sessions WHERE status = 'live' ORDER BY started_at DESC, id DESC LIMIT 1",
    );
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** a new connection: the bitrate is measured afresh */
  resetMeter(): void {
    this.meter.reset();
  }

  /** StreamStateChanged / RecordStateChanged from OBS */
  onOutput(kind: 'stream' | 'record', d: OutputChange): void {
    const outputPath = d.outputPath || null;
    this.status.patch(
      kind === 'stream'
        ? { streaming: d.outputActive }
        : { recording: d.outputActive, ...(outputPath ? { recordingPath: outputPath } : {}) },
    );
    const live = this.liveSession();
    if (!live) return;
    const event = {
      sessionId: live,
      ts: this.core.now(),
      kind,
      state: String(d.outputState)
        .replace(/^OBS_WEBSOCKET_OUTPUT_/, '')
        .toLowerCase()
        .slice(0, 40),
      active: Boolean(d.outputActive),
      outputPath,
    };
    this.core.db.transaction(() => this.health.addEvent(event)).immediate();
    // the push domain's "stream started" trigger listens for these (docs/push.md)
    if (kind === 'stream' && event.state === 'started') this.core.emit({ type: 'obs.streamStarted', sessionId: live });
    if (kind === 'stream' && event.state === 'stopped') this.core.emit({ type: 'obs.streamStopped', sessionId: live });
  }

  private liveSession(): number | null {
    return this.overlaySession() ?? this.liveQuery.get()?.id ?? null;
  }

  private async sample(): Promise<void> {
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
}
