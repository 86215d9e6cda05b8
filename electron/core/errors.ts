// The one error type commands throw; carriers map `code` to HTTP status / IPC error without leaking stacks.
import type { ErrorCode } from '../../shared/protocol/index.ts';

export class CoreError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string, id: number | string) => new CoreError('not_found', `${what} ${id} not found / 未找到`);
export const conflict = (message: string) => new CoreError('conflict', message);
