// Stream health of a live session, from OBS once a second: output state, timecode, bitrate, dropped frames, congestion.
// Bitrate = Δ outputBytes × 8 ÷ Δt; dropped ratio = Δ skipped ÷ Δ total frames of the stream output over the interval.
import type { HealthSample, StreamEvent, StreamHealth } from '../../../shared/protocol/obs.ts';
import type { Db } from '../store/db.ts';

export interface StreamStatus {
  outputActive: boolean;
  outputBytes: number;
  outputCongestion?: number;
  outputSkippedFrames: number;
  outputTotalFrames: number;
  outputTimecode: string;
}
export interface RecordStatus {
  outputActive: boolean;
  outputTimecode: string;
}

interface Previous {
  ts: number;
  bytes: number;
  skipped: number;
  total: number;
}

/** Turns consecutive status readings into samples; resets when the output restarts (its counters go back to 0). */
export class HealthMeter {
  private prev: Previous | null = null;

  reset(): void {
    this.prev = null;
  }

  sample(sessionId: number, ts: number, stream: StreamStatus, record: RecordStatus): HealthSample {
    const prev = this.prev;
    const restarted = prev !== null && (stream.outputBytes < prev.bytes || stream.outputTotalFrames < prev.total);
    let bitrateKbps: number | null = null;
    let droppedRatio: number | null = null;
    if (prev && !restarted && stream.outputActive && ts > prev.ts) {
      bitrateKbps = Math.round(((stream.outputBytes - prev.bytes) * 8) / (ts - prev.ts)) /* bytes·8 / ms = kbit/s */;
      const frames = stream.outputTotalFrames - prev.total;
      droppedRatio = frames > 0 ? (stream.outputSkippedFrames - prev.skipped) / frames : null;
    }
    this.prev = stream.outputActive
      ? { ts, bytes: stream.outputBytes, skipped: stream.outputSkippedFrames, total: stream.outputTotalFrames }
      : null;
    return {
      sessionId,
      ts,
      streaming: stream.outputActive,
      recording: record.outputActive,
      timecode: stream.outputActive ? stream.outputTimecode : record.outputActive ? record.outputTimecode : null,
      bitrateKbps,
      droppedRatio,
      congestion: stream.outputActive && typeof stream.outputCongestion === 'number' ? stream.outputCongestion : null,
    };
  }
}

interface SampleRow {
  session_id: number;
  ts: number;
  streaming: number;
  recording: number;
  timecode: string | null;
  bitrate_kbps: number | null;
  dropped_ratio: number | null;
  congestion: number | null;
}
interface EventRow {
  session_id: number;
  ts: number;
  kind: 'stream' | 'record';
  state: string;
  active: number;
  output_path: string | null;
}

export class HealthRepo {
  private readonly sql;
  constructor(db: Db) {
    this.sql = {
      insert: db.prepare(
        `INSERT OR REPLACE INTO stream_health (session_id, ts, streaming, recording, timecode, bitrate_kbps, dropped_ratio, congestion)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      event: db.prepare('INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, ?, ?, ?, ?)'),
      samples: db.prepare<[number, number], SampleRow>('SELECT * FROM stream_health WHERE session_id = ? AND ts >= ? ORDER BY ts'),
      events: db.prepare<[number, number], EventRow>('SELECT * FROM stream_events WHERE session_id = ? AND ts >= ? ORDER BY ts, id'),
    };
  }

  add(s: HealthSample): void {
    this.sql.insert.run(s.sessionId, s.ts, s.streaming ? 1 : 0, s.recording ? 1 : 0, s.timecode, s.bitrateKbps, s.droppedRatio, s.congestion);
  }

  addEvent(e: StreamEvent): void {
    this.sql.event.run(e.sessionId, e.ts, e.kind, e.state, e.active ? 1 : 0, e.outputPath);
  }

  read(sessionId: number, since = 0): StreamHealth {
    const samples = this.sql.samples.all(sessionId, since).map(
      (r): HealthSample => ({
        sessionId: r.session_id,
        ts: r.ts,
        streaming: r.streaming === 1,
        recording: r.recording === 1,
        timecode: r.timecode,
        bitrateKbps: r.bitrate_kbps,
        droppedRatio: r.dropped_ratio,
        congestion: r.congestion,
      }),
    );
    const events = this.sql.events.all(sessionId, since).map(
      (r): StreamEvent => ({ sessionId: r.session_id, ts: r.ts, kind: r.kind, state: r.state, active: r.active === 1, outputPath: r.output_path }),
    );
    const recordings = [...new Set(events.filter((e) => e.kind === 'record' && e.outputPath).map((e) => e.outputPath!))];
    return { sessionId, samples, events, recordings };
  }
}
