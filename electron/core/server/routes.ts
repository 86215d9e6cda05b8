// HTTP API v1 for the lineup domain. Every route goes through core.invoke, so HTTP, IPC and tests share one validation.
import type { CommandName } from '../../../shared/protocol/index.ts';
import { bodyObject as asObject, idParam } from './params.ts';
import { CoreError } from '../errors.ts';
import { MAX_IMAGE_BYTES, readStoredImage } from '../images.ts';
import type { CoreServer } from './server.ts';

/** @deprecated import from ./params.ts (kept so code written against this path keeps building until the merge) */
export { idParam };

export function registerApiRoutes(server: CoreServer): void {
  const core = server.core;
  const r = server.route.bind(server);
  const call = (name: CommandName, input: unknown) => core.invoke(name, input);

  r('GET', '/api/v1/health', () => ({ ok: true, version: core.version }), { public: true });
  // read-only views (host display, dashboard) hold a display token
  const view = { access: 'display' } as const;
  r('GET', '/api/v1/snapshot', () => call('snapshot', {}), view);

  r('GET', '/api/v1/products', () => call('products.list', {}), view);
  r('POST', '/api/v1/products', (c) => call('product.create', c.body));
  r('PATCH', '/api/v1/products/:id', (c) => call('product.update', { ...asObject(c.body), id: idParam(c) }));
  r('DELETE', '/api/v1/products/:id', (c) => call('product.delete', { id: idParam(c) }));
  r('POST', '/api/v1/products/import', (c) => call('catalog.importCsv', { base64: c.raw.toString('base64') }), {
    raw: true,
    maxBody: 20 * 1024 * 1024,
  });

  r('GET', '/api/v1/sessions', () => call('sessions.list', {}), view);
  r('POST', '/api/v1/sessions', (c) => call('session.create', c.body));
  r('GET', '/api/v1/sessions/:id', (c) => call('session.get', { sessionId: idParam(c) }), view);
  r('PATCH', '/api/v1/sessions/:id', (c) => call('session.update', { ...asObject(c.body), sessionId: idParam(c) }));
  for (const action of ['start', 'end', 'next', 'unpin'] as const) {
    r('POST', `/api/v1/sessions/:id/${action}`, (c) => call(`session.${action}`, { sessionId: idParam(c) }));
  }
  r('POST', '/api/v1/sessions/:id/pin', (c) => call('session.pin', { ...asObject(c.body), sessionId: idParam(c) }));
  r('POST', '/api/v1/sessions/:id/lineup', (c) => call('lineup.add', { ...asObject(c.body), sessionId: idParam(c) }));
  r('PUT', '/api/v1/sessions/:id/lineup/order', (c) => call('lineup.reorder', { ...asObject(c.body), sessionId: idParam(c) }));
  r('PATCH', '/api/v1/lineup/:id', (c) => call('lineup.update', { ...asObject(c.body), itemId: idParam(c) }));
  r('DELETE', '/api/v1/lineup/:id', (c) => call('lineup.remove', { itemId: idParam(c) }));

  // product images in the data folder (#13): upload the bytes; served without a token, like the overlay that shows
  // them on stream, under content-addressed names that never change (so cached for good)
  r('POST', '/api/v1/images', (c) => call('image.store', { base64: c.raw.toString('base64') }), { raw: true, maxBody: MAX_IMAGE_BYTES });
  r(
    'GET',
    '/images/:name',
    (c) => {
      const image = readStoredImage(core.dataDir, c.params.name ?? '');
      if (!image) throw new CoreError('not_found', '图片不存在 / image not found');
      c.res.writeHead(200, {
        'content-type': image.contentType,
        'content-length': image.body.length,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'access-control-allow-origin': '*',
      });
      c.res.end(c.req.method === 'HEAD' ? undefined : image.body);
    },
    { public: true, manual: true },
  );

  // The renderer's carrier in browser mode: the same command names as Electron IPC.
  // the level each command needs is in access/policy.ts (read-only ones for display, secrets' endpoints owner-local)
  r('POST', '/api/v1/invoke/:command', (c) => core.invoke(c.params.command, c.body), { maxBody: 28 * 1024 * 1024, access: 'command' });
}
