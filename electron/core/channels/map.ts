// The console map: every URL, selector, text and response field the bridge relies on, each with its source, read from one
// data file (resources/channels/console-map.json) and checked with a schema so a bad edit fails loudly at start, not
// mid-live. The code reads plain values (`map.selectors.productRow`); the self-check reads `map.sources`.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export type SourceKind = 'peer' | 'framework' | 'assumed';
export interface EntrySource {
  source: SourceKind;
  ref: string;
}

const entry = <T extends z.ZodType>(value: T) =>
  z.object({ value, source: z.enum(['peer', 'framework', 'assumed']), ref: z.string().min(1).max(500) });

const selector = entry(z.string().min(1).max(300));
const text = entry(z.string().min(1).max(50));
const pattern = entry(
  z
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
    }, 'not a valid regular expression'),
);

const SELECTOR_KEYS = [
  'loginQrCode',
  'loggedIn',
  'accountName',
  'microApp',
  'sandboxIframe',
  'liveMarker',
  'commentInput',
  'commentSend',
  'commentItem',
  'commentText',
  'commentNickname',
  'commentAction',
  'newMessages',
  'productRow',
  'productList',
  'productRowSeq',
  'productRowTitle',
  'productRowPrice',
  'productRowImage',
  'promoteButton',
  'dialogClose',
] as const;
export type SelectorKey = (typeof SELECTOR_KEYS)[number];

const pages = ['login', 'home', 'liveControl', 'onSale'] as const;

export const ConsoleMapFileSchema = z.object({
  version: z.literal(2),
  baseUrl: z.string().url(),
  urls: z.object(Object.fromEntries(pages.map((p) => [p, entry(z.string().startsWith('/'))])) as Record<(typeof pages)[number], ReturnType<typeof entry<z.ZodString>>>),
  urlPatterns: z.object(Object.fromEntries(pages.map((p) => [p, pattern])) as Record<(typeof pages)[number], typeof pattern>),
  selectors: z.object(Object.fromEntries(SELECTOR_KEYS.map((k) => [k, selector])) as Record<SelectorKey, typeof selector>),
  texts: z.object({ promote: text, endPromote: text, pinComment: text, disabledClass: text }),
  responses: z.object({
    liveMsg: z.object({
      urlIncludes: entry(z.string().min(1)),
      errCodeField: entry(z.string().min(1)),
      loggedOutErrCodes: entry(z.array(z.number().int())),
      commentsField: entry(z.string().min(1)),
      commentType: entry(z.number().int()),
      stickType: entry(z.number().int()),
      enterType: entry(z.number().int()),
      comment: entry(z.object({ type: z.string(), id: z.string(), seq: z.string(), nickname: z.string(), content: z.string(), user: z.string() })),
      repliesField: entry(z.string().min(1)),
      replyType: entry(z.number().int()),
      reply: entry(z.object({ type: z.string(), id: z.string(), payload: z.string(), payloadContent: z.string(), nickname: z.string() })),
      liveInfoField: entry(z.string().min(1)),
      liveInfo: entry(z.object({ liveId: z.string(), online: z.string(), likes: z.string(), startTime: z.string() })),
    }),
  }),
});

type File = z.infer<typeof ConsoleMapFileSchema>;
type Values<T> = { [K in keyof T]: T[K] extends { value: infer V } ? V : never };

export interface ConsoleMap {
  baseUrl: string;
  urls: Values<File['urls']>;
  urlPatterns: Values<File['urlPatterns']>;
  selectors: Values<File['selectors']>;
  texts: Values<File['texts']>;
  responses: { liveMsg: Values<File['responses']['liveMsg']> };
  /** where each entry came from, by dotted key ('selectors.productRow', 'texts.promote', 'responses.liveMsg.commentType') */
  sources: Record<string, EntrySource>;
}

function values<T extends Record<string, { value: unknown; source: SourceKind; ref: string }>>(group: T, prefix: string, sources: Record<string, EntrySource>): Values<T> {
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(group)) {
    out[k] = e.value;
    sources[`${prefix}.${k}`] = { source: e.source, ref: e.ref };
  }
  return out as Values<T>;
}

export function parseConsoleMap(raw: unknown, baseUrl?: string): ConsoleMap {
  const parsed = ConsoleMapFileSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`视频号控制台映射文件有误 / the console map is invalid: ${why}`);
  }
  const f = parsed.data;
  const sources: Record<string, EntrySource> = {};
  return {
    baseUrl: (baseUrl ?? f.baseUrl).replace(/\/$/, ''),
    urls: values(f.urls, 'urls', sources),
    urlPatterns: values(f.urlPatterns, 'urlPatterns', sources),
    selectors: values(f.selectors, 'selectors', sources),
    texts: values(f.texts, 'texts', sources),
    responses: { liveMsg: values(f.responses.liveMsg, 'responses.liveMsg', sources) },
    sources,
  };
}

export function loadConsoleMap(file: string, baseUrl?: string): ConsoleMap {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`视频号控制台映射文件无法读取 / cannot read console map ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseConsoleMap(raw, baseUrl);
  } catch (error) {
    throw new Error(`${(error as Error).message} (${path.basename(file)})`, { cause: error });
  }
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

export { normTitle } from '../../../shared/protocol/channels.ts';
