// Test harness for room automation: a real Core on a temp SQLite file, the automation module with a fake room, a live
// session with a pinned product, all on Vitest's fake clock (Date.now and timers), and a seeded random.
import path from 'node:path';
import { vi } from 'vitest';
import { root, tempDir } from './serve.ts';
import { Core } from '../../electron/core/core.ts';
import { FileSecretStore } from '../../electron/core/secrets.ts';
import { FakeRoom } from '../fakes/room.ts';
import { AutomationModule } from '../../electron/core/automation/module.ts';
import { createDeskModules } from '../../electron/core/modules.ts';

export const START = 1_790_000_000_000;

/** mulberry32: a small seeded PRNG so runs repeat exactly */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Harness {
  core: Core;
  room: FakeRoom;
  automation: AutomationModule;
  sessionId: number;
  /** advance the fake clock, running timers and the promises they settle */
  run(ms: number): Promise<void>;
  close(): void;
}

export async function harness(options: { source?: string; seed?: number; plannedMinutes?: number; fetch?: typeof fetch; fakeTimers?: boolean } = {}): Promise<Harness> {
  const fake = options.fakeTimers !== false;
  if (fake) vi.useFakeTimers({ now: START });
  const core = new Core({ dataDir: tempDir('livecue-auto-'), resourcesDir: path.join(root, 'resources'), version: 'test', seedDemo: false, now: () => Date.now(), log: () => {} });
  for (const m of createDeskModules()) m.attach(core);
  const room = new FakeRoom();
  const automation = new AutomationModule({
    room: () => room,
    sourceOf: () => options.source ?? 'channels-console',
    secrets: new FileSecretStore(core.dataDir),
    random: seeded(options.seed ?? 7),
    fetch: options.fetch,
  });
  automation.attach(core);
  const a = await core.call('product.create', { title: '蓝牙音箱', price: 19900, livePrice: 9900, sellingPoints: ['低音足', '续航 20 小时'] });
  const b = await core.call('product.create', { title: '保温杯', price: 5900 });
  const session = await core.call('session.create', { title: '今晚专场', productIds: [] });
  await core.call('lineup.add', { sessionId: session.id, productId: a.id, plannedMinutes: options.plannedMinutes ?? 10, talkingPoints: '今天直播间专享价' });
  await core.call('lineup.add', { sessionId: session.id, productId: b.id, plannedMinutes: 10 });
  await core.call('session.start', { sessionId: session.id });
  await core.call('session.next', { sessionId: session.id });
  automation.start();
  return {
    core,
    room,
    automation,
    sessionId: session.id,
    run: async (ms) => {
      if (fake) await vi.advanceTimersByTimeAsync(ms);
      else await new Promise((r) => setTimeout(r, ms));
    },
    close: () => {
      automation.stop();
      core.close();
      if (fake) vi.useRealTimers();
    },
  };
}
