// One process per data folder (issue 14 finding 7: two instances on one folder each counted half). The lock is an
// exclusive SQLite lock on livecue.lock held for the process's life: the operating system releases it when the process
// dies, even by kill -9, so a crash never leaves a stale lock, and a reused PID never fakes one. Who holds it is
// written beside it (livecue.lock.json) so a second instance can say so before it exits.
// (SQLite: "PRAGMA locking_mode = EXCLUSIVE" keeps the lock after the first write transaction until the connection closes.)
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'livecue.lock';
const HOLDER_FILE = 'livecue.lock.json';

export interface LockHolder {
  pid: number;
  host: string;
  kind: string;
  startedAt: number;
}

export class DataDirLockedError extends Error {
  readonly holder: LockHolder | null;
  constructor(dataDir: string, holder: LockHolder | null) {
    const who = holder
      ? `进程 ${holder.pid}（${holder.kind}，${new Date(holder.startedAt).toISOString()} 启动）/ process ${holder.pid} (${holder.kind}, started ${new Date(holder.startedAt).toISOString()})`
      : '另一个 LiveCue 进程 / another LiveCue process';
    super(`数据目录已被占用：${dataDir} 正由${who}使用；请先关闭它，或用 --data-dir 指定另一个目录 / the data folder ${dataDir} is in use by ${who}: close it first, or pass --data-dir with another folder`);
    this.holder = holder;
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string, kind = process.versions.electron ? 'desktop app' : 'serve'): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    // the first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
    db.exec('BEGIN EXCLUSIVE; DELETE FROM holder; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir, readHolder(dataDir));
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), kind, startedAt: Date.now() };
  const tmp = path.join(dataDir, `${HOLDER_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(holder), { mode: 0o600 });
  fs.renameSync(tmp, path.join(dataDir, HOLDER_FILE));
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}

function readHolder(dataDir: string): LockHolder | null {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8')) as LockHolder;
    return typeof v.pid === 'number' ? v : null;
  } catch {
    return null;
  }
}
