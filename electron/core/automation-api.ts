// The room-automation domain as the review domain reads it (issue #15, "Domain APIs instead of cross-domain SQL"):
// what automation sent during a session, per minute. The automation module implements it (`AutomationModule.api`,
// automation/api.ts); it lives in the core so that review uses it without importing the automation domain (as
// metrics-api.ts does). modules.ts hands it to `ReviewModule`.

/** Actions sent in one clock minute, by kind (docs/automation.md). */
export interface AutomationMinute {
  /** the minute's start (epoch ms) */
  minute: number;
  reply: number;
  pin: number;
  message: number;
  explain: number;
}

export interface AutomationApi {
  /** the minutes in which automation sent anything (status sent; 'next' moves are not counted), in time order */
  sentPerMinute(sessionId: number): AutomationMinute[];
  /** a text that changes whenever an action of the session is recorded (a cache key part) */
  changeMark(sessionId: number): string;
}
