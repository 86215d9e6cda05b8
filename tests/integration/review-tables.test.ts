// A guard for issue #15 item 2 ("Domain APIs instead of cross-domain SQL"): the review domain reads other domains
// through their typed APIs (electron/core/*-api.ts), never their tables. Every table the migrations create has an owner
// below (a new table fails the first test until it is given one); the second test reads electron/core/review/*.ts
// (tests excluded) and fails when SQL there names a table review does not own, except the documented exception.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/db.ts';
import { tempDir } from '../helpers/serve.ts';

const root = path.resolve(import.meta.dirname, '../..');
const reviewDir = path.join(root, 'electron/core/review');

/** Each domain's tables, from the migrations (electron/core/store/migrations/NNNN-*.ts). */
const OWNERS: Record<string, readonly string[]> = {
  core: ['settings', 'api_tokens'], // 0001, 0140
  catalog: ['products', 'shop_products'], // 0001, 0111
  lineup: ['sessions', 'lineup_items', 'segments', 'templates'], // 0001, 0130
  obs: ['obs_item_cues', 'stream_health', 'stream_events'], // 0002
  metrics: [
    // 0003, 0110, 0131, 0170, 0171
    'metric_sources',
    'metric_readings',
    'metric_orders',
    'metric_comments',
    'metric_presence',
    'metric_products',
    'metric_seconds',
    'metric_minutes',
    'metric_source_runs',
    'metric_product_minutes',
    'metric_session_totals',
    'wechat_push_events',
  ],
  push: [
    // 0004, 0120
    'push_channels',
    'push_templates',
    'push_rules',
    'push_session_links',
    'pushes',
    'push_deliveries',
    'push_requests',
    'push_session_entries',
    'wecom_groups',
    'wecom_settings',
    'wecom_tasks',
    'wecom_task_targets',
  ],
  channels: ['channels_mappings', 'channels_comments'], // 0005, 0100
  review: ['session_markers', 'session_imports'], // 0006, 0007
  automation: ['automation_sets', 'automation_actions', 'automation_orders'], // 0160
};

/**
 * Known exceptions, each with its reason (architecture.md, known debt 4). A table named in one of these files' SQL is
 * tolerated only when listed here; anything else, or the same table in another file, fails.
 */
const EXCEPTIONS: Record<string, readonly string[] | 'any'> = {
  // a bundle is a copy of one session's rows in every table that has a session_id, found from the schema (PRAGMA
  // table_info / foreign_key_list), so a new domain table travels without a change here. Per table it knows what a copy
  // must not keep (an open segment, a queued delivery, a recording path, the robots' secrets, OBS cues) and matches
  // products against the target's own: through APIs this would be an export and an import function in every domain
  'bundle.ts': 'any',
};

const SQL = /\b(SELECT|INSERT|UPDATE|DELETE|FROM|JOIN|INTO)\b/;

/** The string and template literals of a source file (enough for SQL text: no nested templates in review's SQL). */
function literals(source: string): string[] {
  const out: string[] = [];
  const re = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  for (const m of source.replace(/^\s*\/\/.*$/gm, '').matchAll(re)) out.push(m[0].slice(1, -1));
  return out;
}

/** Tables of other domains named by the file's SQL literals, or named alone in a literal next to SQL (a table list). */
export function foreignTables(source: string, foreign: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const lits = literals(source);
  const hasSql = lits.some((l) => SQL.test(l));
  for (const lit of lits) {
    const sql = SQL.test(lit);
    // a bare table name ('metric_orders') counts in a file that builds SQL from names
    if (!sql && !(hasSql && foreign.has(lit.trim()))) continue;
    for (const word of lit.match(/\b[a-z_]+\b/g) ?? []) if (foreign.has(word)) found.add(word);
  }
  return [...found].sort();
}

const dataDir = tempDir('livecue-review-tables-');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('review reads other domains through their APIs, not their tables', () => {
  it('every table the migrations create has an owning domain', () => {
    const db = openDatabase(dataDir);
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((r) => r.name);
    db.close();
    const owned = Object.values(OWNERS).flat();
    expect(new Set(owned).size).toBe(owned.length); // one owner each
    expect([...owned].sort()).toEqual(tables);
  });

  it('the guard finds a table in SQL and in a table list, and ignores prose', () => {
    const foreign = new Set(['pushes', 'metric_orders']);
    expect(foreignTables("db.prepare('SELECT id FROM pushes WHERE session_id = ?')", foreign)).toEqual(['pushes']);
    expect(foreignTables("const t = ['metric_orders'];\ndb.prepare(`DELETE FROM ${t} WHERE x = 1`)", foreign)).toEqual(['metric_orders']);
    expect(foreignTables("// reads pushes\nconst label = 'pushes';", foreign)).toEqual([]);
  });

  it('electron/core/review/*.ts names no other domain table in SQL (but the listed exceptions)', () => {
    const foreign = new Set(Object.entries(OWNERS).flatMap(([domain, tables]) => (domain === 'review' ? [] : tables)));
    const files = fs.readdirSync(reviewDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files).toContain('report.ts');
    const found: Record<string, string[]> = {};
    for (const f of files) {
      const tables = foreignTables(fs.readFileSync(path.join(reviewDir, f), 'utf8'), foreign);
      if (tables.length) found[f] = tables;
    }
    for (const [f, t] of Object.entries(EXCEPTIONS)) {
      if (t === 'any') {
        expect(found[f]?.length).toBeGreaterThan(0); // still an exception: else remove it
        delete found[f];
      }
    }
    const allowed = Object.fromEntries(Object.entries(EXCEPTIONS).flatMap(([f, t]) => (t === 'any' ? [] : [[f, [...t].sort()]])));
    expect(found).toEqual(allowed);
  });
});
