// The push domain as the review domain reads it (issue #15, "Domain APIs instead of cross-domain SQL"): a session's
// pushes and their deliveries as typed rows. The push module implements it (`PushModule.api`, push/api.ts); it lives in
// the core so that review uses it without importing the push domain (as metrics-api.ts does). modules.ts hands it to
// `ReviewModule`.
import type { DeliveryStatus, PushTrigger } from '../../shared/protocol/push.ts';

/** One push of a session (pushes). */
export interface PushRecord {
  pushId: number;
  trigger: PushTrigger;
  title: string;
  createdAt: number;
  /** the first delivery that reached a group (status sent), null while none has */
  firstSentAt: number | null;
}

/** One channel's delivery of a push's message part (push_deliveries joined to push_channels). */
export interface PushDeliveryRecord {
  pushId: number;
  channelId: number;
  channelName: string;
  channelKind: string;
  status: DeliveryStatus;
  /** as stored: may quote the robot's URL (the reader redacts it before showing it) */
  lastError: string | null;
}

export interface PushApi {
  /** the session's pushes, oldest first */
  sessionPushes(sessionId: number): PushRecord[];
  /** the message deliveries of the session's pushes, by push then channel */
  messageDeliveries(sessionId: number): PushDeliveryRecord[];
  /** a text that changes whenever a delivery of the session changes (a cache key part) */
  changeMark(sessionId: number): string;
}
