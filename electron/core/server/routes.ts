// The core's own HTTP API v1 routes: health, the snapshot and `/invoke/:command`, the carrier every command travels by
// in browser mode. Domains add their routes in their module's `routes(server)` (catalog/module.ts, lineup/module.ts …).
import type { CoreServer } from './server.ts';

export function registerApiRoutes(server: CoreServer): void {
  const core = server.core;
  const r = server.route.bind(server);

  r('GET', '/api/v1/health', () => ({ ok: true, version: core.version }), { public: true });
  // read-only views (host display, dashboard) hold a display token
  r('GET', '/api/v1/snapshot', () => core.invoke('snapshot', {}), { access: 'display' });

  // The renderer's carrier in browser mode: the same command names as Electron IPC.
  // the level each command needs is in access/policy.ts (read-only ones for display, secrets' endpoints owner-local)
  r('POST', '/api/v1/invoke/:command', (c) => core.invoke(c.params.command, c.body), { maxBody: 28 * 1024 * 1024, access: 'command' });
}
