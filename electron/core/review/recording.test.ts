import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHost } from '../../../tests/helpers/core.ts';
import { tempDir } from '../../../tests/helpers/serve.ts';
import type { RunningHost } from '../host.ts';
import { reviewModule } from '../../../tests/helpers/review.ts';
import { createObsApi } from '../obs/api.ts';
import { parseRange, recordingFiles, recordings } from './recording.ts';

const SIZE = 300_000;
let host: RunningHost;
let dir: string;
/** OBS's recording folder: never the data folder (recording.ts videoFile) */
let videos: string;
let bytes: Buffer;
let sessionId: number;

beforeAll(async () => {
  dir = tempDir();
  videos = tempDir('livecue-videos-');
  host = await testHost([reviewModule()], { dataDir: dir });
  // bytes that differ by position, so a wrong offset shows
  bytes = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  fs.writeFileSync(path.join(videos, 'show.mp4'), bytes);
  fs.writeFileSync(path.join(videos, 'second.mkv'), bytes.subarray(0, 10));
  const s = await host.core.call('session.create', { title: 'rec' });
  sessionId = s.id;
  const ev = host.core.db.prepare('INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, ?, ?, ?, ?)');
  // OBS names the file on start and again on stop; the second recording names it only on stop
  ev.run(sessionId, 1000, 'record', 'OBS_WEBSOCKET_OUTPUT_STARTED', 1, path.join(videos, 'show.mp4'));
  ev.run(sessionId, 1500, 'stream', 'OBS_WEBSOCKET_OUTPUT_STARTED', 1, null);
  ev.run(sessionId, 5000, 'record', 'OBS_WEBSOCKET_OUTPUT_STOPPED', 0, path.join(videos, 'show.mp4'));
  ev.run(sessionId, 6000, 'record', 'OBS_WEBSOCKET_OUTPUT_STARTED', 1, null);
  ev.run(sessionId, 9000, 'record', 'OBS_WEBSOCKET_OUTPUT_STOPPED', 0, path.join(videos, 'second.mkv'));
  ev.run(sessionId, 9500, 'record', 'OBS_WEBSOCKET_OUTPUT_STARTED', 1, path.join(videos, 'gone.mp4'));
  ev.run(sessionId, 9600, 'record', 'OBS_WEBSOCKET_OUTPUT_STOPPED', 0, null);
  // what a crafted bundle could carry: an existing file that is not a video
  ev.run(sessionId, 9900, 'record', 'OBS_WEBSOCKET_OUTPUT_STARTED', 1, path.join(dir, 'livecue.sqlite'));
});

afterAll(async () => {
  await host?.stop();
});

const url = (i = 0, token?: string) =>
  `${host.url}api/v1/sessions/${sessionId}/recording?i=${i}${token ? `&token=${encodeURIComponent(token)}` : ''}`;
const get = (headers: Record<string, string> = {}, i = 0, method = 'GET') =>
  fetch(url(i), { method, headers: { authorization: `Bearer ${host.core.token}`, ...headers } });

describe('recording route', () => {
  it('lists one file per path, dated by the record start before it', () => {
    expect(recordingFiles(createObsApi(() => host.core.db).outputEvents(sessionId))).toEqual([
      { path: path.join(videos, 'show.mp4'), startedAt: 1000 },
      { path: path.join(videos, 'second.mkv'), startedAt: 6000 },
      { path: path.join(videos, 'gone.mp4'), startedAt: 9500 },
      { path: path.join(dir, 'livecue.sqlite'), startedAt: 9900 },
    ]);
    expect(recordings(createObsApi(() => host.core.db).outputEvents(sessionId)).map((r) => [r.available, r.sizeBytes])).toEqual([
      [true, SIZE],
      [true, 10],
      [false, null],
      // not a video file: not available, and its size is not told
      [false, null],
    ]);
  });

  it('a full GET streams the whole file with its type and Accept-Ranges', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const mkv = await get({}, 1);
    expect(mkv.headers.get('content-type')).toBe('video/x-matroska');
    expect((await mkv.arrayBuffer()).byteLength).toBe(10);
  });

  it('answers bytes=a-b, a- and -n with 206 and the exact bytes', async () => {
    const mid = await get({ range: 'bytes=1000-1999' });
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe(`bytes 1000-1999/${SIZE}`);
    expect(Buffer.from(await mid.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);

    const open = await get({ range: `bytes=${SIZE - 100}-` });
    expect(open.status).toBe(206);
    expect(open.headers.get('content-range')).toBe(`bytes ${SIZE - 100}-${SIZE - 1}/${SIZE}`);
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(SIZE - 100))).toBe(true);

    const suffix = await get({ range: 'bytes=-500' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${SIZE - 500}-${SIZE - 1}/${SIZE}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(SIZE - 500))).toBe(true);

    // an end past the file is clipped to the last byte
    const clipped = await get({ range: `bytes=${SIZE - 10}-${SIZE + 5000}` });
    expect(clipped.headers.get('content-range')).toBe(`bytes ${SIZE - 10}-${SIZE - 1}/${SIZE}`);
    expect((await clipped.arrayBuffer()).byteLength).toBe(10);
  });

  it('416 for a range outside the file', async () => {
    const res = await get({ range: `bytes=${SIZE}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${SIZE}`);
    expect((await get({ range: 'bytes=500-100' })).status).toBe(416);
    expect((await get({ range: 'bytes=-0' })).status).toBe(416);
  });

  it('HEAD answers the headers without a body', async () => {
    const res = await get({ range: 'bytes=0-99' }, 0, 'HEAD');
    expect(res.status).toBe(206);
    expect(res.headers.get('content-length')).toBe('100');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('takes the token in ?token= (a <video> cannot send headers) and refuses a wrong one', async () => {
    const ok = await fetch(url(0, host.core.token), { headers: { range: 'bytes=0-9' } });
    expect(ok.status).toBe(206);
    expect(Buffer.from(await ok.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
    expect((await fetch(url(0, 'wrong-token'))).status).toBe(401);
    expect((await fetch(url(0))).status).toBe(401);
  });

  it('404 with a clear message when the file is gone, the index is past the end, or the session does not exist', async () => {
    const gone = await get({}, 2);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toMatch(/gone.mp4/);
    const notVideo = await get({}, 3);
    expect(notVideo.status).toBe(404);
    expect(((await notVideo.json()) as { error: { message: string } }).error.message).toMatch(/not a video file/);
    const past = await get({}, 4);
    expect(past.status).toBe(404);
    expect(((await past.json()) as { error: { message: string } }).error.message).toMatch(/4 recording/);
    expect(
      (await fetch(`${host.url}api/v1/sessions/9999/recording?i=0`, { headers: { authorization: `Bearer ${host.core.token}` } })).status,
    ).toBe(404);
  });
});

describe('parseRange', () => {
  it('reads the three forms and ignores what a video element never sends', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=4-', 10)).toEqual({ start: 4, end: 9 });
    expect(parseRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
    expect(parseRange(undefined, 10)).toBeNull();
  });
});
