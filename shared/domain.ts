// Domain types shared by the core and every view. Money is integer fen, times are epoch ms.
import type { SnapshotExt } from './protocol/index.ts';

export interface Product {
  id: number;
  title: string;
  /** original price, fen */
  price: number;
  /** live-room price, fen; null when it is sold at the original price */
  livePrice: number | null;
  sku: string | null;
  stock: number | null;
  imageUrl: string | null;
  /** 卖点, shown to the host one per line */
  sellingPoints: string[];
  coupon: string | null;
  link: string | null;
  /** 爆款: triggers pushes when pinned */
  hot: boolean;
  createdAt: number;
  updatedAt: number;
}

export type SessionStatus = 'draft' | 'live' | 'ended';

export interface LineupItem {
  id: number;
  sessionId: number;
  productId: number;
  position: number;
  plannedMinutes: number;
  /** 话术 */
  talkingPoints: string;
  notes: string;
}

export interface Segment {
  id: number;
  sessionId: number;
  productId: number;
  lineupItemId: number | null;
  startedAt: number;
  endedAt: number | null;
}

export interface SessionSummary {
  id: number;
  title: string;
  status: SessionStatus;
  plannedStart: number | null;
  startedAt: number | null;
  endedAt: number | null;
  createdAt: number;
  lineupCount: number;
}

export interface SessionState extends SessionSummary {
  lineup: LineupItem[];
  /** the product on pin now, or null */
  pinned: Product | null;
  /** the open segment, or null */
  segment: Segment | null;
  /** the lineup item NEXT would pin, or null at the end of the lineup */
  next: LineupItem | null;
  segmentsCount: number;
}

export interface LineupTemplate {
  id: number;
  name: string;
  createdAt: number;
  items: { productId: number; plannedMinutes: number; talkingPoints: string; notes: string }[];
}

export interface Snapshot {
  version: string;
  serverTime: number;
  products: Product[];
  sessions: SessionSummary[];
  /** full state of every session that is not ended (a desk has few at once) */
  active: SessionState[];
  templates: LineupTemplate[];
  /** each domain's own part (obs, metrics, push …), keyed by domain name; the known parts are typed (SnapshotParts) */
  ext: SnapshotExt;
}

export interface CsvRowError {
  line: number;
  column?: string;
  message: string;
}

export interface ImportResult {
  encoding: string;
  created: number;
  updated: number;
}

export interface ServerInfo {
  version: string;
  dataDir: string;
  dbPath: string;
  token: string;
  port: number;
  host: string;
  lanSharing: boolean;
  /** URLs a second screen can open, LAN addresses first when sharing is on */
  hostDisplayUrls: string[];
  /** the first host display URL as an SVG QR code */
  hostDisplayQrSvg: string;
  /** the OBS browser source address, with the display token its stream needs */
  overlayUrl: string;
}
