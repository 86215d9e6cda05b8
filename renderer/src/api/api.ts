// The one interface every view talks to. Two carriers implement it (Electron IPC, HTTP+WebSocket); views never know which.
import type { CommandInput, CommandName, CommandResult, CoreEvent, ErrorBody } from '../../../shared/protocol/index.ts';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface Api {
  readonly carrier: 'ipc' | 'web';
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>>;
  /** Every event; a snapshot first on each (re)connect. */
  subscribe(onEvent: (event: CoreEvent) => void, onState: (state: ConnectionState) => void): () => void;
}

export class ApiError extends Error {
  readonly code: string;
  readonly details?: unknown;
  constructor(body: ErrorBody['error']) {
    super(body.message);
    this.code = body.code;
    this.details = body.details;
  }
}

/** The shape the Electron preload exposes as window.livecue. */
export interface Bridge {
  invoke(name: string, input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorBody['error'] }>;
  subscribe(listener: (event: CoreEvent) => void): () => void;
}

declare global {
  interface Window {
    livecue?: Bridge;
  }
}
