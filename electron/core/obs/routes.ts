// The obs HTTP routes (docs/obs.md, docs/api.md); the /overlay page and its stream are overlay-page.ts.
import type { Core } from '../core.ts';
import { idParam, queryNumber } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';

export function obsRoutes(server: CoreServer, core: Core): void {
  server.route('GET', '/api/v1/obs', () => core.invoke('obs.status', {}));
  server.route('GET', '/api/v1/sessions/:id/stream-health', (c) => {
    // a bad ?since= answers 400 like every route (the schema refuses the text), never silently reads from 0
    return core.invoke('obs.streamHealth', { sessionId: idParam(c), since: queryNumber(c, 'since') });
  });
}
