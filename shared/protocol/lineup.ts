// Lineup domain of the protocol: catalog, sessions, lineup, pins, templates, and the server's own info.
import { z } from 'zod';
import type {
  ImportResult,
  LineupItem,
  LineupTemplate,
  Product,
  ServerInfo,
  SessionState,
  SessionSummary,
  Snapshot,
} from '../domain.ts';
import { epochMs, fen, httpUrl, id, textLine } from './fields.ts';
import type { GlobalShortcuts } from '../desk/shortcuts.ts';

const text = (max: number) => z.string().max(max);
const line = textLine;
const url = httpUrl;
/** an image: an http(s) URL, or one kept in the data folder (`/images/<sha256>.<ext>`, electron/core/images.ts) */
const imageRef = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s) || /^\/images\/[0-9a-f]{64}\.(?:jpg|png|webp|gif)$/.test(s), '必须是 http(s) 图片地址或已上传的图片 / must be an http(s) URL or an uploaded image');

export const productFields = {
  title: line(200),
  price: fen,
  livePrice: fen.nullable().optional(),
  sku: line(64).nullable().optional(),
  stock: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
  imageUrl: imageRef.nullable().optional(),
  sellingPoints: z.array(line(200)).max(20).optional(),
  coupon: text(200).nullable().optional(),
  link: url.nullable().optional(),
  hot: z.boolean().optional(),
};

export const ProductCreate = z.strictObject(productFields);
export const ProductUpdate = z.strictObject({
  id,
  ...Object.fromEntries(Object.entries(productFields).map(([k, v]) => [k, v.optional()])),
} as { id: typeof id } & { [K in keyof typeof productFields]: z.ZodOptional<(typeof productFields)[K]> });

const lineupItemFields = {
  /** decimal minutes are fine (2.5 = 2 min 30 s); stored as whole seconds */
  plannedMinutes: z
    .number()
    .min(0)
    .max(600)
    .refine((m) => Math.abs(m * 60 - Math.round(m * 60)) < 1e-6, '计划时长需精确到秒 / planned minutes must come to whole seconds')
    .optional(),
  talkingPoints: text(4000).optional(),
  notes: text(2000).optional(),
};

export const commands = {
  'product.create': ProductCreate,
  'product.update': ProductUpdate,
  'product.delete': z.strictObject({ id }),
  'catalog.importCsv': z.strictObject({
    /** the file's bytes, base64 (so GBK and BOMs survive every carrier) */
    base64: z.string().max(28_000_000),
  }),
  'session.create': z.strictObject({
    title: line(120),
    productIds: z.array(id).max(500).optional(),
    plannedStart: epochMs.nullable().optional(),
    templateId: id.optional(),
  }),
  'session.update': z.strictObject({
    sessionId: id,
    title: line(120).optional(),
    plannedStart: epochMs.nullable().optional(),
  }),
  'session.start': z.strictObject({ sessionId: id }),
  'session.end': z.strictObject({ sessionId: id }),
  'session.pin': z.strictObject({ sessionId: id, productId: id.optional(), lineupItemId: id.optional() }),
  'session.next': z.strictObject({ sessionId: id }),
  'session.unpin': z.strictObject({ sessionId: id }),
  'lineup.add': z.strictObject({ sessionId: id, productId: id, ...lineupItemFields }),
  'lineup.update': z.strictObject({ itemId: id, ...lineupItemFields }),
  'lineup.remove': z.strictObject({ itemId: id }),
  'lineup.reorder': z.strictObject({ sessionId: id, itemIds: z.array(id).max(500) }),
  'template.saveFromSession': z.strictObject({ sessionId: id, name: line(80) }),
  'template.delete': z.strictObject({ templateId: id }),
  'products.list': z.strictObject({}),
  'sessions.list': z.strictObject({}),
  'session.get': z.strictObject({ sessionId: id }),
  snapshot: z.strictObject({}),
  'server.info': z.strictObject({}),
  'server.setLanSharing': z.strictObject({ enabled: z.boolean() }),
  /** stores an image (bytes, base64) in the data folder → its `/images/…` path for imageUrl */
  'image.store': z.strictObject({ base64: z.string().min(1).max(11_200_000) }),
  /** the desktop app's global shortcuts (off by default; shared/desk/shortcuts.ts) */
  'shortcuts.get': z.strictObject({}),
  'shortcuts.set': z.strictObject({
    enabled: z.boolean(),
    bindings: z.strictObject({ next: z.string().trim().min(1).max(60).nullable(), unpin: z.string().trim().min(1).max(60).nullable() }),
  }),
  /** the producer's current session: host display, overlay, dashboard and bridge follow it (#13) */
  'desk.setCurrent': z.strictObject({ sessionId: id }),
  /** scrolls the host display's 话术 teleprompter (0 = top, 1 = bottom) */
  'host.prompter': z.strictObject({ sessionId: id, itemId: id, ratio: z.number().min(0).max(1) }),
  /** desktop only: opens (or focuses) the host display window on the second screen */
  'window.openHostDisplay': z.strictObject({}),
} satisfies Record<string, z.ZodType>;

export interface Results {
  'product.create': Product;
  'product.update': Product;
  'product.delete': { id: number };
  'catalog.importCsv': ImportResult;
  'session.create': SessionState;
  'session.update': SessionState;
  'session.start': SessionState;
  'session.end': SessionState;
  'session.pin': SessionState;
  'session.next': SessionState;
  'session.unpin': SessionState;
  'lineup.add': LineupItem;
  'lineup.update': LineupItem;
  'lineup.remove': { id: number };
  'lineup.reorder': SessionState;
  'template.saveFromSession': LineupTemplate;
  'template.delete': { id: number };
  'products.list': Product[];
  'sessions.list': SessionSummary[];
  'session.get': SessionState;
  snapshot: Snapshot;
  'server.info': ServerInfo;
  'server.setLanSharing': ServerInfo;
  'window.openHostDisplay': { opened: boolean };
  'desk.setCurrent': DeskState;
  'image.store': { url: string; bytes: number; type: string };
  'shortcuts.get': GlobalShortcuts;
  'shortcuts.set': GlobalShortcuts;
  'host.prompter': DeskState;
}

/** Which session the desk is running and where the host's teleprompter stands (snapshot.ext.desk). */
export interface DeskState {
  currentSessionId: number | null;
  prompter: { sessionId: number; itemId: number; ratio: number } | null;
}
/** Events pushed to every view. A view that (re)connects gets `snapshot` first. */
export type Events =
  | { type: 'product.upserted'; product: Product }
  | { type: 'product.removed'; id: number }
  | { type: 'catalog.replaced'; products: Product[] }
  | { type: 'session.changed'; session: SessionState }
  | { type: 'template.changed'; templates: LineupTemplate[] }
  | { type: 'server.changed'; info: ServerInfo }
  | { type: 'desk.changed'; desk: DeskState }
  | { type: 'shortcuts.changed'; shortcuts: GlobalShortcuts };

