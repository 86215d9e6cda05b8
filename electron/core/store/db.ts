// Opens the one SQLite file of a data folder: WAL, foreign keys, integrity check, numbered migrations in user_version.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations as defaultMigrations, type Migration } from './migrations/index.ts';

export type Db = Database.Database;

export class StoreError extends Error {
  readonly code: 'db_too_new' | 'db_corrupt' | 'db_migration_failed';
  constructor(code: StoreError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export interface OpenOptions {
  migrations?: Migration[];
}

export const DB_FILE = 'livecue.sqlite';

export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  const list = options.migrations ?? defaultMigrations;
  // only this user may read the data folder and its files (secrets, buyer data): 0700 / 0600 (issue 14)
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrict(dataDir, 0o700);
  const file = path.join(dataDir, DB_FILE);
  const db = new Database(file);
  restrict(file, 0o600);
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (SIGKILL); only an OS crash can lose the last ones.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // a fixed 8 MB page cache (default 16 MB): the live path touches only the B-trees' newest pages, so a bounded, small
    // cache keeps an 8-hour session's memory flat; the OS file cache serves reports of ended sessions
    db.pragma('cache_size = -8000');
    // checkpoint every ~40 MB of WAL instead of SQLite's default 1000 pages (~4 MB): a checkpoint runs inside the commit
    // that crosses the mark and syncs both files, so at the default every few ingest batches paid for one (measured in
    // bench/metrics.ts: commit time 0.7–1.2 s → 0.2–0.3 s over 300 000 events). Durability is unchanged: a commit is in
    // the WAL either way (https://sqlite.org/pragma.html#pragma_wal_autocheckpoint, https://sqlite.org/wal.html#ckpt).
    db.pragma('wal_autocheckpoint = 10000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new StoreError('db_corrupt', `数据库损坏 / database failed quick_check (${file}): ${String(check)}`);
    }
    migrate(db, list, file);
    // SQLite creates -wal / -shm with the database file's mode; older folders may have them 0644 already
    for (const extra of ['-wal', '-shm']) restrict(file + extra, 0o600);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function migrate(db: Db, list: Migration[], file = 'database'): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  const latest = list.length ? list[list.length - 1]!.version : 0;
  if (current > latest) {
    throw new StoreError(
      'db_too_new',
      `数据库版本 ${current} 比本程序 (${latest}) 新，请升级 LiveCue / ${file} was written by a newer LiveCue (schema ${current} > ${latest}); refusing to open it`,
    );
  }
  for (const m of list) {
    if (m.version <= current) continue;
    const step = db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step();
    } catch (error) {
      throw new StoreError('db_migration_failed', `migration ${m.version}-${m.name} failed: ${(error as Error).message}`);
    }
  }
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** chmod where the file system has modes (not on Windows, where the folder's ACL in the user profile applies) */
function restrict(p: string, mode: number): void {
  if (process.platform === 'win32') return;
  try {
    fs.chmodSync(p, mode);
  } catch {
    /* a missing -shm (not created yet) is fine */
  }
}
