import { describe, expect, it } from 'vitest';
import { mimeOf } from './mime.ts';

describe('mimeOf', () => {
  it('names the built files by extension, case-insensitively, on either path separator', () => {
    expect(mimeOf('/out/renderer/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeOf('C:\\LiveCue\\renderer\\assets\\Host-1a2b.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeOf('assets/font.woff2')).toBe('font/woff2');
  });
  it('answers octet-stream for an unknown extension, a dot file, or a dot in a folder name only', () => {
    expect(mimeOf('/x/archive.tar.gz')).toBe('application/octet-stream');
    expect(mimeOf('/x/.html')).toBe('application/octet-stream');
    expect(mimeOf('/x.html/README')).toBe('application/octet-stream');
  });
});
