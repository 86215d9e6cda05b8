// review.exportBundle / review.importBundle / review.importChannelsExport, the recording route, and their HTTP routes.
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { idParam } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import type { BundleInput, CheckedBundle } from '../imports/session-bundle.ts';
import { MAX_BUNDLE_BYTES, applyBundle, bundlePlan, exportBundle } from './bundle.ts';
import { importChannelsExport } from './channels-export.ts';
import type { ReviewDeps } from './module.ts';
import { recordingFiles, serveFile, videoFile } from './recording.ts';

export function attachTransfer(core: Core, deps: ReviewDeps): void {
  core.handle('review.exportBundle', ({ sessionId }) => exportBundle(core.db, sessionId, core.now(), `LiveCue ${core.version}`));
  // The bundle is parsed and checked in the import worker (its time and heap limits, imports/run.ts); only the checked
  // rows come back, as flat arrays, and are written here in one transaction. `bundle` is the raw upload (the HTTP
  // route), JSON text or base64 of it, or the parsed object (an API client's choice; the review page sends text).
  core.handle('review.importBundle', async ({ bundle }) => {
    const plan = bundlePlan(core.db);
    const input: BundleInput =
      bundle instanceof Uint8Array ? { bytes: bundle } : typeof bundle === 'string' ? { text: bundle } : { value: bundle };
    // a buffer of its own (a large upload always is) moves to the worker instead of being copied
    const own =
      bundle instanceof Uint8Array &&
      bundle.byteOffset === 0 &&
      bundle.byteLength === bundle.buffer.byteLength &&
      bundle.buffer instanceof ArrayBuffer;
    const checked = await core.imports.run<CheckedBundle>(
      { kind: 'session-bundle', input, plan },
      own ? [bundle.buffer as ArrayBuffer] : [],
    );
    const { products: _p, ...result } = applyBundle(core.db, plan, checked, core.now(), deps.metrics.rebuildRollups);
    announce(core, result.sessionId);
    return result;
  });
  core.handle('review.linkRecording', ({ sessionId, path: file }) => {
    const s = deps.lineup.summary(sessionId);
    // the same rule as serving: a real video file (symlinks resolved), outside the data folder
    const v = videoFile(file, core.dataDir);
    if (!v)
      throw new CoreError(
        'bad_request',
        `不是可用的视频文件 / not a usable video file (a regular .mp4/.mkv/.mov/.webm/.flv/.ts file outside the data folder): ${file.slice(0, 200)}`,
      );
    const from = s.startedAt ?? s.createdAt;
    const to = s.endedAt ?? core.now();
    deps.obs.linkRecording(sessionId, from, to, v.real);
    core.emit({ type: 'review.imported', sessionId });
    return { sessionId, path: v.real, sizeBytes: v.size };
  });
  core.handle('review.importChannelsExport', async ({ base64, fileName, title }) => {
    const result = await importChannelsExport(core, deps, Buffer.from(base64, 'base64'), { fileName, title });
    announce(core, result.sessionId);
    return result;
  });
}

/** after commit: the sessions list and the review page learn about the new session */
function announce(core: Core, sessionId: number): void {
  core.emit({ type: 'session.changed', session: core.sessions.state(sessionId) });
  core.emit({ type: 'review.imported', sessionId });
}

export function transferRoutes(server: CoreServer, deps: ReviewDeps): void {
  const core = server.core;

  server.route(
    'GET',
    '/api/v1/sessions/:id/bundle',
    async (c) => {
      const id = idParam(c);
      const body = JSON.stringify(await core.invoke('review.exportBundle', { sessionId: id }));
      c.res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'content-disposition': `attachment; filename="livecue-session-${id}.json"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      c.res.end(c.req.method === 'HEAD' ? undefined : body);
    },
    { manual: true },
  );
  // raw: the server does not JSON.parse the body on the event loop, the import worker does; the body must still be
  // declared JSON, as on every JSON route (server.ts: a form or text/plain post is never read as a command)
  server.route(
    'POST',
    '/api/v1/sessions/import',
    (c) => {
      if (!/^application\/json\s*(;|$)/i.test(c.req.headers['content-type'] ?? '')) {
        throw new CoreError(
          'bad_request',
          '请求体须为 JSON（Content-Type: application/json）/ send the body as Content-Type: application/json',
        );
      }
      return core.invoke('review.importBundle', { bundle: c.raw });
    },
    { raw: true, maxBody: MAX_BUNDLE_BYTES },
  );
  server.route(
    'POST',
    '/api/v1/sessions/import/channels',
    (c) => {
      const fileName = c.url.searchParams.get('fileName') ?? headerText(c.req.headers['x-file-name']);
      const title = c.url.searchParams.get('title') ?? undefined;
      return core.invoke('review.importChannelsExport', {
        base64: c.raw.toString('base64'),
        ...(fileName ? { fileName } : {}),
        ...(title ? { title } : {}),
      });
    },
    { raw: true, maxBody: 20 * 1024 * 1024 },
  );
  server.route(
    'GET',
    '/api/v1/sessions/:id/recording',
    (c) => {
      const id = idParam(c);
      deps.lineup.summary(id);
      const iRaw = c.url.searchParams.get('i') ?? '0';
      if (!/^\d{1,4}$/.test(iRaw)) throw new CoreError('bad_request', 'i must be a recording index (0, 1 …)');
      const files = recordingFiles(deps.obs.outputEvents(id));
      const file = files[Number(iRaw)];
      if (!file) {
        throw new CoreError(
          'not_found',
          files.length
            ? `只有 ${files.length} 个录像 / session ${id} has ${files.length} recording(s), no index ${iRaw}`
            : `本场没有录像 / session ${id} has no recording`,
        );
      }
      serveFile(c.req, c.res, file.path, core.dataDir);
    },
    { manual: true },
  );
}

/** a file name sent as a header: percent-encoded UTF-8 (headers are Latin-1) */
function headerText(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return decodeURIComponent(value).slice(0, 260);
  } catch {
    return value.slice(0, 260);
  }
}
