// First launch on an empty data folder: a small realistic catalog and a rehearsal session, so a newcomer sees a working desk.
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from './core.ts';
import { withDefaults } from './catalog/products.ts';

interface DemoProduct {
  title: string;
  price: number;
  livePrice: number | null;
  sku: string;
  stock: number;
  sellingPoints: string[];
  coupon: string | null;
  hot?: boolean;
  talkingPoints: string;
  minutes: number;
}

/** Runs inside the caller's transaction. */
export function seedDemo(core: Core): void {
  if (core.products.list().length > 0 || core.sessions.list().length > 0) return;
  const file = path.join(core.resourcesDir, 'demo-catalog.json');
  const demo = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    session: { title: string; minutesFromNow: number };
    products: DemoProduct[];
  };
  const now = core.now();
  const sessionId = core.sessions.create(demo.session.title, now + demo.session.minutesFromNow * 60_000, now);
  for (const p of demo.products) {
    const product = core.products.create(withDefaults({ ...p, link: null, imageUrl: null }), now);
    core.sessions.addItem(sessionId, product.id, { plannedMinutes: p.minutes, talkingPoints: p.talkingPoints });
  }
}
