// Numbered, append-only migrations. Migration N sets PRAGMA user_version = N when it commits.
import * as m0001 from './0001-catalog-and-lineup.ts';
import * as m0004 from './0004-push.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  { version: 1, name: 'catalog-and-lineup', sql: m0001.sql },
  // placeholders for 0002 obs and 0003 metrics (built on other branches): the lead replaces these two lines on merge
  { version: 2, name: 'obs-placeholder', sql: '' },
  { version: 3, name: 'metrics-placeholder', sql: '' },
  { version: 4, name: 'push', sql: m0004.sql },
];
