// LiveCue layer rules as one ESLint rule: resolves every import of a file to the layer it lands in and reports the
// ones the layer table in docs/architecture.md forbids. Exceptions are listed in eslint.config.js, one per known
// cross-domain import, each with the change that removes it.
import path from 'node:path';
import { builtinModules } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '..');
/** folders of electron/core that are the core's own services (storage, HTTP, who may do what, the import worker), not
 * domains; every other folder is a domain */
const CORE_FOLDERS = ['store', 'server', 'access', 'imports', 'wechat'];
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Where a repository file lives: `shared`, `renderer`, `main` (electron/main + preload), `core` (the core's own
 * files: electron/core/*.ts, store/, server/), `domain:<name>` (any other folder of electron/core), or `other` (tests,
 * bench, scripts, config). */
export function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel.startsWith('shared/')) return 'shared';
  if (rel.startsWith('renderer/')) return 'renderer';
  if (rel.startsWith('electron/main/') || rel.startsWith('electron/preload/')) return 'main';
  const m = /^electron\/core\/([^/]+)\//.exec(rel);
  if (m && !CORE_FOLDERS.includes(m[1])) return `domain:${m[1]}`;
  if (rel.startsWith('electron/core/')) return 'core';
  return 'other';
}

const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/** Why `from` may not import `spec` (resolved to `target`, a repo path, or null for a package); null when allowed. */
export function violation(fromFile, spec, target) {
  const from = layerOf(fromFile);
  const isTest = /\.test\.ts$/.test(fromFile);
  if (target === null) {
    const pkg = spec;
    if (from === 'shared' && (NODE_BUILTINS.has(pkg) || pkg === 'electron') && !isTest)
      return 'shared/ runs in the core and in the browser: no Node built-ins, no electron';
    if (from === 'renderer' && (NODE_BUILTINS.has(pkg) || pkg === 'electron' || pkg === 'better-sqlite3' || pkg === 'ws'))
      return 'the renderer is a browser page: no Node built-ins, no electron, no core-only packages';
    if ((from === 'core' || from.startsWith('domain:')) && pkg === 'electron')
      return 'the core is plain Node (it also runs in `npm run serve`): only electron/main and electron/preload import electron';
    return null;
  }
  const to = layerOf(target);
  if (from === 'shared' && to !== 'shared' && !isTest) return 'shared/ imports only shared/';
  if (from === 'renderer' && (to === 'core' || to.startsWith('domain:') || to === 'main'))
    return 'the renderer never imports electron/: talk to the core through src/api';
  if ((from === 'core' || from.startsWith('domain:')) && (to === 'renderer' || to === 'main'))
    return 'the core never imports the renderer or electron/main';
  if (from.startsWith('domain:') && to.startsWith('domain:') && from !== to && !isTest)
    return `a domain imports only its own files, the core's own files (electron/core/*.ts and the CORE_FOLDERS) and shared/: ${from.slice(7)} -> ${to.slice(7)}`;
  if (from === 'core' && to.startsWith('domain:') && /^electron\/core\/(store|server|wechat)\//.test(rel(fromFile)))
    return "store/, server/ and wechat/ are the core's own services: they import no domain";
  return null;
}

export default {
  rules: {
    boundaries: {
      meta: {
        type: 'problem',
        docs: { description: 'LiveCue layer and domain boundaries (docs/architecture.md)' },
        schema: [
          {
            type: 'object',
            properties: {
              exceptions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { from: { type: 'string' }, to: { type: 'string' }, why: { type: 'string' } },
                  required: ['from', 'to', 'why'],
                },
              },
            },
            additionalProperties: false,
          },
        ],
      },
      create(context) {
        const file = context.filename;
        const exceptions = context.options[0]?.exceptions ?? [];
        const check = (node, spec) => {
          if (typeof spec !== 'string') return;
          // a relative import resolves to a repository file; anything else is a package (`node:fs`, `zod`, `@scope/x/y`)
          const target = spec.startsWith('.') || spec.startsWith('/') ? path.resolve(path.dirname(file), spec) : null;
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          const why = violation(file, target === null ? pkg : spec, target);
          if (!why) return;
          if (target && exceptions.some((e) => e.from === rel(file) && e.to === rel(target))) return;
          context.report({ node, message: `${spec}: ${why}` });
        };
        return {
          ImportDeclaration: (n) => check(n.source, n.source.value),
          ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
          ExportAllDeclaration: (n) => check(n.source, n.source.value),
          ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
        };
      },
    },
  },
};
