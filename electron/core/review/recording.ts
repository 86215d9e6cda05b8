// The OBS recording of a session served over HTTP with byte ranges, so the review page's <video> can seek in a
// multi-gigabyte file without loading it. Paths come from the session's OBS record events (the obs API's outputEvents).
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { ReportRecording } from '../../../shared/protocol/review.ts';
import { CoreError } from '../errors.ts';
import type { OutputEvent } from '../obs-api.ts';

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.flv': 'video/x-flv',
  '.ts': 'video/mp2t',
};

/**
 * The file a recording path really names, if it may be served: resolved through symlinks (a link named .mp4 once served
 * /etc/passwd, secrets.json and the database), a regular file, a video extension on the real name too, and never
 * inside the data folder. null otherwise — and then nothing about the path (existence, size) is told.
 */
export function videoFile(p: string, dataDir?: string): { real: string; size: number; mtime: Date } | null {
  if (!TYPES[path.extname(p).toLowerCase()]) return null;
  try {
    const real = fs.realpathSync(p);
    if (!TYPES[path.extname(real).toLowerCase()]) return null;
    if (dataDir) {
      const dir = fs.realpathSync(dataDir);
      if (real === dir || real.startsWith(dir + path.sep)) return null;
    }
    const stat = fs.statSync(real);
    return stat.isFile() ? { real, size: stat.size, mtime: stat.mtime } : null;
  } catch {
    return null;
  }
}

export interface RecordingFile {
  path: string;
  /** when OBS started writing it (epoch ms) */
  startedAt: number;
}

/**
 * The session's recordings in order, one per distinct path. OBS may name the file only when recording stops, so a
 * file is dated by the record start that preceded its first mention (video time 0), else by that mention.
 */
export function recordingFiles(events: readonly OutputEvent[]): RecordingFile[] {
  const files: RecordingFile[] = [];
  const seen = new Set<string>();
  let startedAt: number | null = null;
  for (const r of events) {
    if (r.kind !== 'record') continue;
    if (r.active) startedAt ??= r.ts;
    if (r.outputPath && !seen.has(r.outputPath)) {
      seen.add(r.outputPath);
      files.push({ path: r.outputPath, startedAt: startedAt ?? r.ts });
    }
    if (!r.active) startedAt = null;
  }
  return files;
}

/** The report's view of the recordings: whether the route can serve each file now, and its size. */
export function recordings(events: readonly OutputEvent[]): ReportRecording[] {
  return recordingFiles(events).map((f) => {
    const v = videoFile(f.path);
    return { ...f, available: v !== null, sizeBytes: v?.size ?? null };
  });
}

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * One range of a `Range` header (RFC 9110 §14.1.2): `bytes=a-b`, `a-`, `-n`. null means "send the whole file"
 * (no header, another unit, or several ranges, which a video element never asks for).
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'unsatisfiable';
  return { start, end };
}

/** Answers GET/HEAD for one file: 200 whole, 206 one range, 416 outside the file; 404 when the file has gone. */
export function serveFile(req: IncomingMessage, res: ServerResponse, requested: string, dataDir?: string): void {
  // paths come from OBS's events: only a real video file outside the data folder is ever served (videoFile)
  const v = videoFile(requested, dataDir);
  if (!v)
    throw new CoreError(
      'not_found',
      `录像不可用（已移动、删除或不是视频文件）/ the recording is not available (moved, deleted, or not a video file): ${path.basename(requested)}`,
    );
  const file = v.real;
  const type = TYPES[path.extname(file).toLowerCase()]!;
  const stat = v;
  const size = v.size;
  const headers: Record<string, string | number> = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'last-modified': stat.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'content-length': length,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file, { start, end });
  // the player cancels ranges all the time while seeking: close the file with the socket
  res.on('close', () => stream.destroy());
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
