import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/serve.ts';
import { DB_FILE, StoreError, openDatabase, schemaVersion } from './db.ts';
import { migrations } from './migrations/index.ts';

describe('store', () => {
  it('creates the file in WAL mode and records every migration in user_version', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // a bounded page cache: an 8-hour session's memory stays flat (bench soak)
    expect(db.pragma('cache_size', { simple: true })).toBe(-8000);
    db.close();
    expect(fs.existsSync(path.join(dir, DB_FILE))).toBe(true);
  });

  it('migrations are numbered in ascending order without repeats (gaps between issue blocks are fine)', () => {
    const versions = migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });

  it('re-opening applies nothing twice', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    db.close();
  });

  it('refuses a database written by a newer LiveCue', () => {
    const dir = tempDir();
    const raw = new Database(path.join(dir, DB_FILE));
    raw.pragma(`user_version = ${migrations.at(-1)!.version + 5}`);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(StoreError);
    expect(() => openDatabase(dir)).toThrow(/newer LiveCue/);
  });

  it('a failing migration leaves the previous version intact', () => {
    const dir = tempDir();
    const bad = [...migrations, { version: migrations.at(-1)!.version + 1, name: 'broken', sql: 'CREATE TABLE x (a); SELECT * FROM nowhere;' }];
    expect(() => openDatabase(dir, { migrations: bad })).toThrow(/migration .* failed/);
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'x'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('reports a corrupt file clearly instead of starting on it', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    const file = path.join(dir, DB_FILE);
    const bytes = fs.readFileSync(file);
    // trash every page after the header page
    for (let i = 4096; i < bytes.length; i++) bytes[i] = 0x5a;
    fs.writeFileSync(file, bytes);
    expect(() => openDatabase(dir)).toThrow(/quick_check|malformed|not a database/i);
  });

  it('keeps at most one open segment per session (enforced by the schema)', () => {
    const db = openDatabase(tempDir());
    db.prepare("INSERT INTO products (id, title, price, created_at, updated_at) VALUES (1, 'p', 1, 0, 0)").run();
    db.prepare("INSERT INTO sessions (id, title, created_at) VALUES (1, 's', 0)").run();
    const open = db.prepare('INSERT INTO segments (session_id, product_id, started_at) VALUES (1, 1, ?)');
    open.run(1);
    expect(() => open.run(2)).toThrow(/UNIQUE/);
    db.close();
  });
});
