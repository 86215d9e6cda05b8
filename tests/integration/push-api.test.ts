// HTTP API v1 for push, on a real host: channels in (secrets never out), a push queued, its deliveries read back.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHost, startHost } from '../../electron/core/host.ts';
import { PushModule } from '../../electron/core/push/module.ts';
import { type RobotStub, startRobots, waitFor } from '../helpers/robots.ts';
import { root, tempDir } from '../helpers/serve.ts';
import { createDeskModules } from '../../electron/core/modules.ts';

let host: RunningHost;
let stub: RobotStub;
const api = async (method: string, p: string, body?: unknown, token = host.core.token) => {
  const res = await fetch(`${host.url.replace(/\/$/, '')}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, text: '' };
};

beforeAll(async () => {
  stub = await startRobots(0.05);
  host = await startHost({
    dataDir: tempDir(),
    resourcesDir: path.join(root, 'resources'),
    rendererDir: path.join(root, 'out', 'renderer'),
    version: 'test',
    port: 0,
    banner: false,
    seedDemo: false,
    log: () => {},
    modules: [...createDeskModules(), new PushModule({ timeScale: 0.05, timeoutMs: 1_000 })],
  });
});
afterAll(async () => {
  await host.stop();
  await stub.close();
});

describe('push API v1', () => {
  it('creates channels, never returns a secret or the key in the URL', async () => {
    const url = stub.add('api-dt-key-0123456789', { kind: 'dingtalk', secret: 'SECtopsecret' });
    const created = await api('POST', '/api/v1/push/channels', { kind: 'dingtalk', name: 'VIP群', url, secret: 'SECtopsecret', tags: ['VIP群'] });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: expect.any(Number), kind: 'dingtalk', name: 'VIP群', hasSecret: true, tags: ['VIP群'] });
    const listed = await api('GET', '/api/v1/push/channels');
    const raw = JSON.stringify(listed.body);
    expect(raw).not.toContain('SECtopsecret');
    expect(raw).not.toContain('api-dt-key-0123456789');
    expect(listed.body[0].urlMasked).toMatch(/access_token=\*\*\*\*6789$/);
    const snapshot = await api('GET', '/api/v1/snapshot');
    expect(JSON.stringify(snapshot.body)).not.toContain('SECtopsecret');
    expect(JSON.stringify(snapshot.body)).not.toContain('api-dt-key-0123456789');
  });

  it('refuses plain http to anything but loopback, and needs the token', async () => {
    const r = await api('POST', '/api/v1/push/channels', { kind: 'wecom', name: 'x', url: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/https/);
    expect((await api('GET', '/api/v1/push/channels', undefined, 'wrong')).status).toBe(401);
    expect((await api('POST', '/api/v1/push/channels', { kind: 'qq', name: 'x', url: 'https://a' })).status).toBe(400);
  });

  it('POST /sessions/:id/push queues; GET /push/deliveries?pushId= shows each channel’s fate', async () => {
    const session = (await api('POST', '/api/v1/sessions', { title: '直播' })).body;
    const channels = (await api('GET', '/api/v1/push/channels')).body;
    const wecom = (await api('POST', '/api/v1/push/channels', { kind: 'wecom', name: '新客群', url: stub.add('api-wc', { kind: 'wecom' }) })).body;
    const push = await api('POST', `/api/v1/sessions/${session.id}/push`, { channelIds: [channels[0].id, wecom.id], text: '今晚八点见' });
    expect(push.status).toBe(200);
    expect(push.body).toMatchObject({ id: expect.any(Number), trigger: 'manual', text: '今晚八点见' });
    const rows = await waitFor(async () => {
      const r = (await api('GET', `/api/v1/push/deliveries?pushId=${push.body.id}`)).body as any[];
      return r.every((d) => d.status === "sent") ? r : null;
    }, 5_000);
    expect(rows).toHaveLength(2);
    for (const d of rows) expect(d).toMatchObject({ status: 'sent', attempts: 1, lastError: null, sentAt: expect.any(Number) });
    expect(stub.delivered('api-dt-key-0123456789')[0]!.body).toEqual({ msgtype: 'text', text: { content: '今晚八点见' } });
    expect((await api('POST', `/api/v1/sessions/${session.id}/push`, { channelIds: [wecom.id] })).status).toBe(400);
    expect((await api('POST', `/api/v1/sessions/999/push`, { channelIds: [wecom.id], text: 'x' })).status).toBe(404);
  });
});
