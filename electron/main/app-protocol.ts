// The desktop window's pages come from app://livecue/… instead of file:// (a file:// page may read any local file the
// renderer names and shares one origin with every other file). Pure functions, no `electron` import, so they are
// tested in Node: which file a request maps to, and the Content-Security-Policy the pages get.
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'livecue';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export { mimeOf } from '../../shared/mime.ts';

/** The built renderer file an app:// request names, or null (another host, or a path escaping the folder). */
export function resolveAppPath(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  rel = rel === '/' || rel === '' ? 'index.html' : rel.replace(/^\/+/, '');
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, rel);
  return file.startsWith(root + path.sep) ? file : null;
}

/**
 * The pages' CSP: scripts only from the app, and network only to the core this window belongs to (its HTTP address
 * serves the review page's recording; the window itself talks to the core over IPC). No connect-src to any other host.
 */
export function appCsp(corePort: number): string {
  const core = `http://127.0.0.1:${corePort}`;
  return (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; " +
    `media-src 'self' blob: ${core}; connect-src 'self' ${core} ws://127.0.0.1:${corePort}; ` +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
  );
}
