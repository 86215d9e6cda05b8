// Push benchmark: how long "push now" takes to queue (push + deliveries in one transaction), and how long from the
// click until a local robot has the message. Prints nothing but progress on stderr; returns { push: {...} }.
import path from 'node:path';
import { Core } from '../electron/core/core.ts';
import { PushModule } from '../electron/core/push/module.ts';
import { startRobots, waitFor } from '../tests/helpers/robots.ts';
import { root, tempDir } from '../tests/helpers/serve.ts';
import { createDeskModules } from '../electron/core/modules.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};

export async function run(): Promise<Record<string, unknown>> {
  const stub = await startRobots(0.001);
  const core = new Core({ dataDir: tempDir(), resourcesDir: path.join(root, 'resources'), version: 'bench', seedDemo: false, log: () => {} });
  for (const m of createDeskModules()) m.attach(core);
  // windows scaled down so the robots' 20/min does not dominate what we measure
  const push = new PushModule({ timeScale: 0.001, timeoutMs: 5_000 });
  push.attach(core);
  push.start();
  try {
    const session = await core.call('session.create', { title: 'bench' });
    const channelIds: number[] = [];
    for (const [i, kind] of (['wecom', 'dingtalk', 'feishu'] as const).entries()) {
      const url = stub.add(`bench-${i}`, { kind, secret: kind === 'wecom' ? undefined : 's' });
      channelIds.push((await core.call('push.channel.create', { kind, name: `g${i}`, url, ...(kind === 'wecom' ? {} : { secret: 's' }) })).id);
    }
    const queueMs: number[] = [];
    const deliverMs: number[] = [];
    const N = 200;
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const p = await core.call('push.send', { sessionId: session.id, channelIds, text: `bench-${i}` });
      queueMs.push(performance.now() - t0);
      await waitFor(() => push.store.deliveriesOfPush(p.id).every((d) => d.status === 'sent'), 10_000);
      deliverMs.push(performance.now() - t0);
      if (i % 50 === 0) process.stderr.write(`push bench ${i}/${N}\n`);
    }
    return {
      push: {
        pushes: N,
        channelsPerPush: channelIds.length,
        queueMs: { p50: pct(queueMs, 50), p95: pct(queueMs, 95), max: pct(queueMs, 100) },
        deliveredToAllThreeMs: { p50: pct(deliverMs, 50), p95: pct(deliverMs, 95), max: pct(deliverMs, 100) },
        robotRequests: stub.requests.length,
      },
    };
  } finally {
    await push.stop();
    core.close();
    await stub.close();
  }
}

if (import.meta.main) console.log(JSON.stringify(await run(), null, 2));
