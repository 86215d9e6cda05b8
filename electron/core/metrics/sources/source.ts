// One interface for every metrics source. The module starts a session's chosen source when the session goes live and
// stops it when the session ends; a source turns whatever it reads into protocol events and hands them to ingest.
import type { Product, SessionState } from '../../../../shared/domain.ts';
import type { MetricEvent, MetricsSnapshot, SourceName } from '../../../../shared/protocol/metrics.ts';

export type SourceStatus = MetricsSnapshot['sourceStatus'];

export interface SourceContext {
  sessionId: number;
  /** stores one batch (all or nothing); events must already satisfy the protocol schema */
  ingest(events: MetricEvent[]): { stored: number; duplicates: number };
  now(): number;
  log(line: string): void;
  /** the session as the lineup domain last reported it (pins, segments) */
  session(): SessionState;
  product(id: number): Product | null;
  /** LiveCue product for a source's own product id or SKU, if the catalog has it */
  productBySku(sku: string): Product | null;
}

export interface MetricsSource {
  readonly name: SourceName;
  start(): void | Promise<void>;
  stop(): void;
  status(): SourceStatus;
  /** the lineup changed (a pin, an unpin) */
  onSession?(state: SessionState): void;
  /** a push reached viewers (WeCom/DingTalk/Feishu groups) */
  onPush?(reach: number | undefined): void;
  /** sizes of the source's own in-memory state (the memory debug route) */
  sizes?(): Record<string, number>;
}
