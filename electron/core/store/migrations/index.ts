// Numbered, append-only migrations. Migration N sets PRAGMA user_version = N when it commits.
import * as m0001 from './0001-catalog-and-lineup.ts';
import * as m0002 from './0002-obs.ts';
import * as m0003 from './0003-metrics.ts';
import * as m0004 from './0004-push.ts';
import * as m0005 from './0005-channels.ts';
import * as m0006 from './0006-review.ts';
import * as m0007 from './0007-imports.ts';
import * as m0100 from './0100-channels-messages.ts';
import * as m0110 from './0110-live-orders.ts';
import * as m0111 from './0111-shop-products.ts';
import * as m0120 from './0120-wecom-customer.ts';
import * as m0130 from './0130-planned-seconds.ts';
import * as m0131 from './0131-source-runs.ts';
import * as m0140 from './0140-access-tokens.ts';
import * as m0160 from './0160-automation.ts';
import * as m0170 from './0170-product-order-minutes.ts';
import * as m0171 from './0171-session-totals.ts';
import * as m0172 from './0172-other-orders-index.ts';

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
  { version: 110, name: 'live-orders', sql: m0110.sql },
  { version: 111, name: 'shop-products', sql: m0111.sql },
  { version: 120, name: 'wecom-customer', sql: m0120.sql },
  { version: 130, name: 'planned-seconds', sql: m0130.sql },
  { version: 131, name: 'source-runs', sql: m0131.sql },
  { version: 140, name: 'access-tokens', sql: m0140.sql },
  { version: 160, name: 'automation', sql: m0160.sql },
  { version: 170, name: 'product-order-minutes', sql: m0170.sql },
  { version: 171, name: 'session-totals', sql: m0171.sql },
  { version: 172, name: 'other-orders-index', sql: m0172.sql },
];
