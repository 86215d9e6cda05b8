// The metrics HTTP routes (docs/metrics.md, docs/api.md): ingest, snapshot, series, source choice, the debug memory
// report; the WeChat message push callback is wechat-callback.ts.
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { bodyObject, positiveId } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';

/** one ingest batch may carry a long session's backlog */
const MAX_INGEST_BODY = 16 * 1024 * 1024;

export function metricsRoutes(
  server: CoreServer,
  core: Core,
  options: { memory: ((collect: boolean) => Record<string, unknown>) | null },
): void {
  const id = (raw: string | undefined) => positiveId(raw);
  server.route(
    'POST',
    '/api/v1/sessions/:id/events',
    (c) => {
      const body = c.body as { events?: unknown };
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CoreError('bad_request', 'body must be {"events": [...]}');
      return core
        .invoke('metrics.ingest', { sessionId: id(c.params.id), events: body.events })
        .then((r) => ({ stored: (r as { stored: number }).stored, duplicates: (r as { duplicates: number }).duplicates }));
    },
    { maxBody: MAX_INGEST_BODY },
  );
  server.route('GET', '/api/v1/sessions/:id/metrics', (c) => core.invoke('metrics.snapshot', { sessionId: id(c.params.id) }));
  server.route('GET', '/api/v1/sessions/:id/metrics/series', (c) => core.invoke('metrics.series', { sessionId: id(c.params.id) }));
  server.route('PUT', '/api/v1/sessions/:id/metrics/source', (c) =>
    core.invoke('metrics.setSource', { ...bodyObject(c.body), sessionId: id(c.params.id) }),
  );
  // debug only (LIVECUE_DEBUG_MEMORY=1): what the process and this domain hold, for the soak benchmark
  const memory = options.memory;
  if (memory) server.route('GET', '/api/v1/debug/memory', (c) => memory(c.url.searchParams.get('gc') === '1'));
}
