// Content types of the UI's built files, one table for both ways they are served: the core's HTTP server (browser
// mode, LAN screens) and the desktop window's app:// protocol. Pure: no Node or DOM.
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** the content type of a file by its extension (the last `.xxx` of its name), octet-stream when unknown */
export function mimeOf(file: string): string {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? MIME[name.slice(dot).toLowerCase()] : undefined) ?? 'application/octet-stream';
}
