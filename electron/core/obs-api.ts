// The obs domain as the review domain reads it (issue #15, "Domain APIs instead of cross-domain SQL"): a session's
// stream health and OBS output events as typed rows, and a recording linked by hand. The obs module implements it
// (`ObsModule.api`, obs/api.ts); it lives in the core so that review uses it without importing the obs domain (as
// metrics-api.ts does). modules.ts hands it to `ReviewModule`.

/** The stream's health over one clock minute (stream_health samples). */
export interface StreamHealthMinute {
  /** the minute's start (epoch ms) */
  t: number;
  /** average bitrate of the minute's samples, null when none reported one */
  bitrateKbps: number | null;
  /** worst dropped-frame ratio of the minute, null when none reported one */
  droppedRatio: number | null;
  /** OBS was streaming at some sample of the minute */
  streaming: boolean;
}

/** One OBS output state change recorded during a session (stream_events). */
export interface OutputEvent {
  ts: number;
  kind: 'stream' | 'record';
  /** OBS's output state name ('started', 'stopped', 'reconnecting', …; 'linked' for a recording linked by hand) */
  state: string;
  active: boolean;
  /** the recording's file, when OBS named one */
  outputPath: string | null;
}

export interface ObsApi {
  /** stream health per minute, in time order */
  healthPerMinute(sessionId: number): StreamHealthMinute[];
  /** every output event of the session, in time order */
  outputEvents(sessionId: number): OutputEvent[];
  /** a recording made outside LiveCue's OBS link, covering [from, to] (two record events: active, then not) */
  linkRecording(sessionId: number, from: number, to: number, path: string): void;
  /** a text that changes whenever an output event is added to the session (a cache key part) */
  changeMark(sessionId: number): string;
}
