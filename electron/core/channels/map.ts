// The console map: every URL, selector, text and response field the bridge relies on, read from one data file
// (resources/channels/console-map.json) and checked with a schema so a bad edit fails loudly at start, not mid-live.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const selector = z.string().min(1).max(300);
const pattern = z
  .string()
  .min(1)
  .max(300)
  .refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

export const ConsoleMapSchema = z.object({
  version: z.literal(1),
  baseUrl: z.string().url(),
  urls: z.object({ login: z.string(), home: z.string(), liveControl: z.string(), onSale: z.string() }),
  urlPatterns: z.object({ login: pattern, home: pattern, liveControl: pattern, onSale: pattern }),
  selectors: z.object({
    loginQrCode: selector,
    loggedIn: selector,
    accountName: selector,
    microAppIframe: selector,
    liveMarker: selector,
    notLiveMarker: selector,
    productList: selector,
    productRow: selector,
    productRowId: selector,
    productRowTitle: selector,
    promoteButton: selector,
    dialogClose: selector,
  }),
  texts: z.object({ promote: z.string().min(1), endPromote: z.string().min(1) }),
  productIdPattern: pattern,
  responses: z.object({
    liveMsg: z.object({
      urlIncludes: z.string().min(1),
      errCodeField: z.string(),
      loggedOutErrCodes: z.array(z.number().int()),
      commentsField: z.string(),
      commentType: z.number().int(),
      comment: z.object({ type: z.string(), id: z.string(), seq: z.string(), nickname: z.string(), content: z.string(), user: z.string() }),
      liveInfoField: z.string(),
      liveInfo: z.object({ liveId: z.string(), online: z.string(), likes: z.string(), startTime: z.string() }),
    }),
  }),
});

export type ConsoleMap = z.infer<typeof ConsoleMapSchema>;

export function loadConsoleMap(file: string, baseUrl?: string): ConsoleMap {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`视频号控制台映射文件无法读取 / cannot read console map ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ConsoleMapSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`视频号控制台映射文件有误 / console map ${path.basename(file)} is invalid: ${why}`);
  }
  return baseUrl ? { ...parsed.data, baseUrl: baseUrl.replace(/\/$/, '') } : parsed.data;
}

export const defaultMapFile = (resourcesDir: string) => path.join(resourcesDir, 'channels', 'console-map.json');

export type PageKind = 'login' | 'home' | 'liveControl' | 'onSale' | 'other';

/** Which console page a URL is, by the map's patterns; URLs off the console's origin are 'other'. */
export function pageKind(map: ConsoleMap, url: string): PageKind {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'other';
  }
  if (u.origin !== new URL(map.baseUrl).origin) return 'other';
  const rest = u.pathname + u.search + u.hash;
  for (const kind of ['login', 'liveControl', 'onSale', 'home'] as const) {
    if (new RegExp(map.urlPatterns[kind]).test(rest)) return kind;
  }
  return 'other';
}

export const consoleUrl = (map: ConsoleMap, page: keyof ConsoleMap['urls']) => map.baseUrl + map.urls[page];
