// The one protocol every carrier speaks (Electron IPC, HTTP, WebSocket): command names, their input schemas, their
// result types, and the events the core emits. Each domain keeps its part in its own file here; this file joins them.
// Inputs are parsed with these schemas at the core's edge; nothing else is trusted.
import type { z } from 'zod';
import type { Snapshot } from '../domain.ts';
import * as lineup from './lineup.ts';
import * as channels from './channels.ts';
import * as metrics from './metrics.ts';
import * as obs from './obs.ts';
import * as push from './push.ts';
import * as review from './review.ts';
import * as automation from './automation.ts';
import * as shop from './shop.ts';
import * as access from './access.ts';

export const commandSchemas = {
  ...lineup.commands,
  ...obs.commands,
  ...metrics.commands,
  ...push.commands,
  ...channels.commands,
  ...review.commands,
  ...automation.commands,
  ...shop.commands,
  ...access.commands,
} satisfies Record<string, z.ZodType>;

export type CommandName = keyof typeof commandSchemas;
export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

export type CommandInput<N extends CommandName> = z.input<(typeof commandSchemas)[N]>;
export type ParsedInput<N extends CommandName> = z.output<(typeof commandSchemas)[N]>;

type AllResults = lineup.Results & obs.Results & metrics.Results & push.Results & channels.Results & review.Results & automation.Results & shop.Results & access.Results;
export type CommandResults = { [N in CommandName]: AllResults[N] };
export type CommandResult<N extends CommandName> = CommandResults[N];

/** The part of the snapshot each domain adds (`core.addSnapshotPart(name, read)`), by name. A domain whose part is
 * not listed yet still works (its part reads as `unknown`); list it here to type it end to end. */
export interface SnapshotParts {
  obs: obs.ObsStatus;
  metrics: metrics.MetricsExt;
  push: push.PushState;
  channels: channels.ChannelsSnapshot;
}
export type SnapshotPartName = keyof SnapshotParts;
/** what a part named K holds: its listed type, or unknown */
export type SnapshotPart<K extends string> = K extends SnapshotPartName ? SnapshotParts[K] : unknown;
export type SnapshotExt = Partial<SnapshotParts> & Record<string, unknown>;

/** Events pushed to every view. A view that (re)connects gets `snapshot` first. */
export type CoreEvent = { type: 'snapshot'; snapshot: Snapshot } | lineup.Events | obs.Events | metrics.Events | push.Events | channels.Events | review.Events | automation.Events | shop.Events | access.Events;

export type ErrorCode = 'bad_request' | 'unauthorized' | 'not_found' | 'conflict' | 'too_large' | 'unavailable' | 'internal' | 'forbidden' | 'too_many';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commandSchemas, name);
}

/** Zod issues in words a person acts on, Chinese first (shared/protocol/issues.ts). */
export { describeIssues } from './issues.ts';

export { ProductCreate, ProductUpdate, productFields } from './lineup.ts';

/** IPC channel names; the only ones Electron main listens on. */
export const IPC = {
  invoke: 'livecue:invoke',
  subscribe: 'livecue:subscribe',
  event: 'livecue:event',
} as const;
