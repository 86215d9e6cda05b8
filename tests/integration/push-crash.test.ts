// The serve process killed with SIGKILL in the middle of a burst, then restarted on the same data folder: every push
// reaches the group at most once (no duplicate) and every push is accounted for (no loss): delivered, or — for the
// one caught mid-request — marked "unknown, may have been delivered" and left for the user to decide.
import { afterEach, describe, expect, it } from 'vitest';
import { startRobots, waitFor } from '../helpers/robots.ts';
import { type Served, startServe, tempDir } from '../helpers/serve.ts';

const SCALE = 0.05;
const env = { LIVECUE_PUSH_TIME_SCALE: String(SCALE), LIVECUE_PUSH_TIMEOUT_MS: '3000' };
const running: Served[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
});

describe('push outbox across SIGKILL', () => {
  it('no duplicate, no loss', async () => {
    const stub = await startRobots(SCALE);
    try {
      const url = stub.add('crash', { kind: 'wecom', delayMs: 120 });
      const dataDir = tempDir();
      const a = await startServe({ dataDir, args: ['--no-demo'], env });
      running.push(a);
      const session = (await a.api('POST', '/api/v1/sessions', { title: '崩溃测试' })).body;
      const channel = (await a.api('POST', '/api/v1/push/channels', { kind: 'wecom', name: 'VIP群', url })).body;
      expect(channel.id).toBeGreaterThan(0);
      const N = 30;
      const pushIds: number[] = [];
      for (let i = 0; i < N; i++) {
        const r = await a.api('POST', `/api/v1/sessions/${session.id}/push`, { channelIds: [channel.id], text: `msg-${i}` });
        expect(r.status).toBe(200);
        pushIds.push(r.body.id);
      }
      // kill while a request is held open by the slow robot
      await waitFor(() => stub.requests.length >= 8, 10_000, '8 requests');
      a.proc.kill('SIGKILL');
      await new Promise((r) => a.proc.once('exit', r));
      const seenAtKill = stub.requests.length;

      const b = await startServe({ dataDir, args: ['--no-demo'], env });
      running.push(b);
      const rows = async () => (await b.api('GET', `/api/v1/push/deliveries?sessionId=${session.id}`)).body as any[];
      await waitFor(async () => (await rows()).every((d) => ['sent', 'unknown', 'failed'].includes(d.status)), 30_000, 'settled');
      const final = await rows();

      const count = (i: number) => stub.delivered('crash').filter((r) => r.body.text.content === `msg-${i}`).length;
      const byStatus: Record<string, number> = {};
      for (const [i, id] of pushIds.entries()) {
        const d = final.find((x) => x.pushId === id);
        expect(d, `push ${i} has a delivery row`).toBeTruthy();
        byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
        expect(count(i), `msg-${i} reached the group at most once`).toBeLessThanOrEqual(1);
        if (d.status === 'sent') expect(count(i)).toBe(1);
        expect(d.status).not.toBe('failed');
      }
      expect((byStatus.sent ?? 0) + (byStatus.unknown ?? 0)).toBe(N);
      // the row caught mid-request: unknown, and the robot did receive it
      const unknown = final.filter((d) => d.status === 'unknown');
      for (const d of unknown) expect(d.lastError).toMatch(/may have been delivered/);
      expect(stub.maxInWindow('crash', 60_000 * SCALE)).toBeLessThanOrEqual(20);
      expect(stub.requests.every((r) => r.code === 0)).toBe(true);
      console.log(`[push-crash] killed after ${seenAtKill} requests; final: ${JSON.stringify(byStatus)}; robot saw ${stub.requests.length} requests for ${N} pushes`);
    } finally {
      await stub.close();
    }
  }, 60_000);
});
