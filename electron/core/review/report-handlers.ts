// review.sessions / review.report / review.replay / review.compare and their HTTP routes.
import type { Core } from '../core.ts';
import type { CoreServer } from '../server/server.ts';

export function attachReport(_core: Core): void {}

export function reportRoutes(_server: CoreServer): void {}
