// review.exportBundle / review.importBundle / review.importChannelsExport, the recording route, and their HTTP routes.
import type { Core } from '../core.ts';
import type { CoreServer } from '../server/server.ts';

export function attachTransfer(_core: Core): void {}

export function transferRoutes(_server: CoreServer): void {}
