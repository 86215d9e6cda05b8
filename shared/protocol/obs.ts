// OBS domain of the protocol: the obs-websocket connection, the on-stream product overlay, per-item scene/hotkey cues,
// the 视频号 push address, and stream health recorded into a session.
import { z } from 'zod';
import { epochMs, id, printableName } from './fields.ts';

/** OBS object names (scenes, inputs, hotkeys): any printable text, as OBS allows */
const obsName = printableName(256);
const wsUrl = z
  .string()
  .trim()
  .max(512)
  .refine((s) => /^wss?:\/\/[^\s/]+(\/[^\s]*)?$/i.test(s), 'must be a ws:// or wss:// address, e.g. ws://127.0.0.1:4455');

/** connected / connecting / auth failed (4009, no retries) / unreachable (retrying with backoff) / off */
export type ObsConnection = 'disabled' | 'connecting' | 'connected' | 'auth_failed' | 'unreachable';

export interface ObsStatus {
  connection: ObsConnection;
  url: string;
  /** a password is stored (never the password itself) */
  hasPassword: boolean;
  /** where the password comes from: environment (serve), stored, or none */
  passwordSource: 'env' | 'stored' | 'none';
  lastError: string | null;
  /** epoch ms of the next reconnect attempt while unreachable */
  retryAt: number | null;
  obsVersion: string | null;
  websocketVersion: string | null;
  scenes: string[];
  currentScene: string | null;
  /** the text-source kind OBS offers (text_ft2_source_v2 / text_gdiplus_v2 …), null before connecting */
  textKind: string | null;
  hasBrowserSource: boolean;
  streaming: boolean;
  recording: boolean;
  /** the scene that holds LiveCue's text sources */
  overlayScene: string | null;
  /** the product the overlay shows now, as applied to OBS (null: hidden) */
  overlayProductId: number | null;
  /** last recording file OBS reported */
  recordingPath: string | null;
  /** the push address applied last (key masked) */
  pushServer: string | null;
}

export interface ItemCue {
  lineupItemId: number;
  sceneName: string | null;
  hotkeyName: string | null;
}

export interface HealthSample {
  sessionId: number;
  ts: number;
  streaming: boolean;
  recording: boolean;
  timecode: string | null;
  /** Δ outputBytes × 8 ÷ Δt, kbit/s; null on the first sample or when not streaming */
  bitrateKbps: number | null;
  /** Δ skipped ÷ Δ total output frames over the last interval; null when no frames were sent */
  droppedRatio: number | null;
  /** OBS outputCongestion, 0…1 */
  congestion: number | null;
}

export interface StreamEvent {
  sessionId: number;
  ts: number;
  kind: 'stream' | 'record';
  state: string;
  active: boolean;
  outputPath: string | null;
}

export interface StreamHealth {
  sessionId: number;
  samples: HealthSample[];
  events: StreamEvent[];
  /** recording files reported while the session was live (review syncs video with metrics with these) */
  recordings: string[];
}

/** What the /overlay page shows: only what is on stream anyway. */
export interface OverlayState {
  sessionId: number;
  product: {
    id: number;
    title: string;
    price: number;
    livePrice: number | null;
    coupon: string | null;
    stock: number | null;
    imageUrl: string | null;
  };
  /** the price as every view shows it (shared/present.ts priceDisplay): the page only places the texts */
  display: { price: string; originalPrice: string | null };
  pinnedAt: number;
}

export const commands = {
  'obs.status': z.strictObject({}),
  'obs.configure': z.strictObject({
    url: wsUrl,
    /** a new password; omit to keep the stored one, null to clear it */
    password: z.string().max(256).nullable().optional(),
    enabled: z.boolean().default(true),
  }),
  'obs.reconnect': z.strictObject({}),
  'obs.setOverlayScene': z.strictObject({ sceneName: obsName.nullable() }),
  'obs.addBrowserSource': z.strictObject({ sceneName: obsName, width: z.number().int().min(100).max(7680).default(1920), height: z.number().int().min(100).max(4320).default(1080) }),
  'obs.setItemCue': z.strictObject({ lineupItemId: id, sceneName: obsName.nullable(), hotkeyName: obsName.nullable() }),
  'obs.itemCues': z.strictObject({ sessionId: id }),
  'obs.hotkeys': z.strictObject({}),
  'obs.applyPushAddress': z.strictObject({
    /** 推流地址, e.g. rtmp://…/live */
    server: z
      .string()
      .trim()
      .max(1024)
      .refine((s) => /^rtmps?:\/\/[^\s]+$/i.test(s), 'must be an rtmp:// or rtmps:// address'),
    /** 推流密钥 */
    key: z.string().trim().min(1).max(1024).refine((s) => !/\s/.test(s), 'the key has no spaces'),
  }),
  'obs.streamHealth': z.strictObject({ sessionId: id, since: epochMs.optional() }),
} satisfies Record<string, z.ZodType>;

export interface Results {
  'obs.status': ObsStatus;
  'obs.configure': ObsStatus;
  'obs.reconnect': ObsStatus;
  'obs.setOverlayScene': ObsStatus;
  'obs.addBrowserSource': { inputName: string; url: string };
  'obs.setItemCue': ItemCue;
  'obs.itemCues': ItemCue[];
  'obs.hotkeys': string[];
  'obs.applyPushAddress': { server: string; keyMasked: string; serviceType: string };
  'obs.streamHealth': StreamHealth;
}

export type Events =
  | { type: 'obs.status'; status: ObsStatus }
  | { type: 'obs.health'; sample: HealthSample }
  | { type: 'obs.cue'; cue: ItemCue }
  /** OBS started / stopped streaming while a session was live */
  | { type: 'obs.streamStarted'; sessionId: number }
  | { type: 'obs.streamStopped'; sessionId: number };
