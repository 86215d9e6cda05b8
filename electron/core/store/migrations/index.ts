// Numbered, append-only migrations. Migration N sets PRAGMA user_version = N when it commits.
import * as m0001 from './0001-catalog-and-lineup.ts';
import * as m0002 from './0002-obs.ts';
import * as m0003 from './0003-metrics.ts';
import * as m0004 from './0004-push.ts';
import * as m0005 from './0005-channels.ts';
import * as m0006 from './0006-review.ts';
import * as m0007 from './0007-imports.ts';
import * as m0100 from './0100-channels-messages.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  { version: 1, name: 'catalog-and-lineup', sql: m0001.sql },
  { version: 2, name: 'obs', sql: m0002.sql },
  { version: 3, name: 'metrics', sql: m0003.sql },
  { version: 4, name: 'push', sql: m0004.sql },
  { version: 5, name: 'channels', sql: m0005.sql },
  { version: 6, name: 'review', sql: m0006.sql },
  { version: 7, name: 'imports', sql: m0007.sql },
  { version: 100, name: 'channels-messages', sql: m0100.sql },
];
