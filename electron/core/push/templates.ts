// Message templates: {{variable}} placeholders filled from the session, its live link and the product on pin.
import type { Product } from '../../../shared/domain.ts';
import { yuanLabel } from '../../../shared/money.ts';
import { TEMPLATE_VARIABLES, type TemplateVariable } from '../../../shared/protocol/push.ts';

export interface RenderContext {
  title: string;
  link: string | null;
  /** planned start (or actual start once live), epoch ms */
  startTime: number | null;
  product: Product | null;
  /** the product's official link from the shop (H5 link, else 口令), when known */
  productLink?: string | null;
  now: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** variables a template uses that LiveCue does not know (a typo would otherwise reach the group verbatim) */
export function unknownVariables(text: string): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((v) => !known.has(v)))];
}

/** "5月20日 20:00" in the desk's local time */
export function formatStart(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function variables(ctx: RenderContext): Record<TemplateVariable, string> {
  const p = ctx.product;
  return {
    title: ctx.title,
    link: ctx.link ?? '',
    startTime: ctx.startTime !== null ? formatStart(ctx.startTime) : '',
    product: p?.title ?? '',
    livePrice: p ? yuanLabel(p.livePrice ?? p.price) : '',
    coupon: p?.coupon ?? '',
    productLink: ctx.productLink ?? '',
    // rounded up: a reminder sent at T-29.5 min says 30
    minutesToStart: ctx.startTime !== null ? String(Math.max(0, Math.ceil((ctx.startTime - ctx.now) / 60_000))) : '',
    // "30 分钟后开播" before the start, "正在直播" once it is on: one template serves reminders and live pushes
    liveStatus:
      ctx.startTime !== null && ctx.startTime > ctx.now ? `${Math.ceil((ctx.startTime - ctx.now) / 60_000)} 分钟后开播` : '正在直播',
  };
}

/** values typed by people (catalog, session): escaped when the message is markdown; generated ones are safe as they are */
const TYPED: ReadonlySet<TemplateVariable> = new Set<TemplateVariable>(['title', 'product', 'coupon']);

/**
 * Neutralises markdown in a catalog field before it goes into a markdown message (issue 14 finding 10: a coupon text
 * with link syntax went verbatim into every group). Link, image and HTML syntax ([ ] ( ) < >) become their full-width
 * forms, which no robot renders as syntax whatever its markdown dialect (WeCom, DingTalk and Feishu each document a
 * subset and none documents backslash escapes: ASSUMED); emphasis, heading, quote and code marks get a backslash.
 */
export function escapeMarkdown(s: string): string {
  const wide: Record<string, string> = { '[': '［', ']': '］', '(': '（', ')': '）', '<': '＜', '>': '＞' };
  return s.replace(/[[\]()<>]/g, (c) => wide[c]!).replace(/([\\`*_~#|])/g, '\\$1');
}

export function renderTemplate(text: string, ctx: RenderContext, markdown = false): string {
  const raw = variables(ctx);
  const values = markdown
    ? (Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, TYPED.has(k as TemplateVariable) ? escapeMarkdown(v) : v])) as Record<TemplateVariable, string>)
    : raw;
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as TemplateVariable] : whole));
}
