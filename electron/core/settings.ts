// Key/value settings kept in the database (token, LAN sharing, feature flags).
import type { Db } from './store/db.ts';

export class SettingsRepo {
  private readonly sql;
  constructor(db: Db) {
    this.sql = {
      get: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      set: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }
  get<T>(key: string): T | undefined {
    const row = this.sql.get.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }
  set(key: string, value: unknown): void {
    this.sql.set.run(key, JSON.stringify(value));
  }
}
