// DingTalk's 10-minute throttle (#11): after 130101 or 410100 the robot gets nothing for 10 minutes (scaled here:
// 10 min × 0.002 = 1.2 s), shows until when on the robot, then the held messages go out; 410100 is retried, not failed.
import { afterEach, describe, expect, it } from 'vitest';
import { PushModule } from '../../electron/core/push/module.ts';
import { testCore } from '../helpers/core.ts';
import { startRobots, waitFor } from '../helpers/robots.ts';

const SCALE = 0.002; // 10 min → 1.2 s, 60 s → 0.12 s
const PAUSE = 600_000 * SCALE;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const stub = await startRobots(SCALE);
  cleanups.push(() => stub.close());
  const t = testCore({ start: Date.now() });
  const push = new PushModule({ timeScale: SCALE, timeoutMs: 1_500, random: () => 0.5, reminderTickMs: 60_000 });
  push.attach(t.core);
  push.start();
  cleanups.push(async () => {
    await push.stop();
    t.core.close();
  });
  const session = await t.core.call('session.create', { title: '直播', plannedStart: Date.now() + 3_600_000 });
  return { stub, core: t.core, push, session };
}

describe('DingTalk throttle', () => {
  for (const code of [130101, 410100]) {
    it(`${code}: the robot pauses 10 minutes (countdown on the robot), then both held messages are delivered`, async () => {
      const { stub, core, push, session } = await setup();
      const url = stub.add(`dt-${code}`, { kind: 'dingtalk' });
      stub.script(`dt-${code}`, { errcode: code, errmsg: 'send too fast' });
      const ch = await core.call('push.channel.create', { kind: 'dingtalk', name: '钉钉群', url });
      const first = await core.call('push.send', { sessionId: session.id, channelIds: [ch.id], text: 'one' });
      await waitFor(() => push.store.deliveriesOfPush(first.id).find((d) => d.status === 'retrying'), 5_000, 'retrying');
      const throttledAt = stub.requests.find((r) => r.robot === `dt-${code}`)!.at;
      const listed = (await core.call('push.channels.list', {})).find((c) => c.id === ch.id)!;
      expect(listed.pausedUntil).toBeGreaterThan(Date.now());
      expect(listed.pausedUntil! - throttledAt).toBeGreaterThanOrEqual(PAUSE - 50);
      const second = await core.call('push.send', { sessionId: session.id, channelIds: [ch.id], text: 'two' });
      await waitFor(() => [first.id, second.id].every((id) => push.store.deliveriesOfPush(id).every((d) => d.status === 'sent')), 10_000, 'both sent');
      const times = stub.requests.filter((r) => r.robot === `dt-${code}`).map((r) => r.at);
      expect(times).toHaveLength(3);
      // nothing reached the robot during the pause
      expect(times[1]! - throttledAt).toBeGreaterThanOrEqual(PAUSE - 50);
      expect(push.store.deliveriesOfPush(first.id)[0]!.attempts).toBe(2);
      expect((await core.call('push.channels.list', {})).find((c) => c.id === ch.id)!.pausedUntil).toBeNull();
    });
  }
});
