// The one set of HTTP input helpers every route uses: a path id, a JSON-object body, a numeric query parameter.
// They only shape raw text; the command's zod schema (through core.invoke) is what accepts or refuses the value.
import { CoreError } from '../errors.ts';
import type { RouteContext } from './router.ts';

/** a numeric path segment (":id"): digits only, else 400; whether it exists is the command's answer (404) */
export function idParam(ctx: RouteContext, name = 'id'): number {
  return positiveId(ctx.params[name], name);
}

/** the same rule for a raw segment already taken out of the path */
export function positiveId(raw: string | undefined, name = 'id'): number {
  if (!/^\d{1,15}$/.test(raw ?? '')) throw new CoreError('bad_request', `${name} 必须是正整数 / ${name} must be a positive integer`);
  return Number(raw);
}

/** the parsed JSON body when it is an object (the path id is then merged in), else 400 */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new CoreError('bad_request', '请求体必须是 JSON 对象 / body must be a JSON object');
  return body as Record<string, unknown>;
}

/** a numeric query parameter: absent or empty → undefined; digits → a number; anything else is passed on as text, so
 * the command's schema answers 400 for it (never silently ignored) */
export function queryNumber(ctx: RouteContext, name: string): number | string | undefined {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  return /^\d{1,16}$/.test(raw) ? Number(raw) : raw;
}
