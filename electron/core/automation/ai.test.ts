// AI drafts against a local fake OpenAI-compatible endpoint (POST /v1/chat/completions on 127.0.0.1): the request
// shape, the product in the system message, per-viewer context kept apart, confirmation by default, and the keyword
// reply when the endpoint times out or fails.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../../../tests/helpers/automation.ts';

interface Seen {
  path: string;
  auth: string | undefined;
  body: { model: string; messages: { role: string; content: string }[] };
}
let server: http.Server;
let base = '';
const seen: Seen[] = [];
let mode: 'ok' | 'slow' | 'error' = 'ok';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(raw) });
      const answer = () => {
        if (mode === 'error') {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
          return;
        }
        const n = seen.length;
        res.writeHead(200, { 'content-type': 'application/json' });
        // the response shape of the Chat Completions API reference: choices[].message.content
        res.end(JSON.stringify({ id: `c${n}`, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `AI答复${n}` }, finish_reason: 'stop' }] }));
      };
      if (mode === 'slow') setTimeout(answer, 1500).unref();
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let h: Harness;
afterEach(() => {
  h?.close();
  seen.length = 0;
  mode = 'ok';
});

async function until(fn: () => boolean, ms = 4000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(ruleOptions: Record<string, unknown> = {}) {
  h = await harness({ fakeTimers: false });
  await h.core.call('automation.ai', { enabled: true, baseUrl: base, model: 'fake-model', key: 'sk-test-secret-123', timeoutMs: 500, systemPrompt: '你是场控小助手' });
  await h.core.call('automation.saveSet', { kind: 'reply', text: '发货/尺码|江苏发货', options: { ai: true, viewerCooldownSec: 0, ruleCooldownSec: 0, ...ruleOptions } });
  await h.core.call('automation.enable', { kind: 'reply', enabled: true });
}

describe('AI drafts', () => {
  it('drafts from the system prompt and the pinned product, and waits for confirmation', async () => {
    await setup();
    h.room.emit({ nickname: '小美', text: '哪里发货' });
    await until(() => h.automation.engine.draftList().length === 1);
    const draft = h.automation.engine.draftList()[0]!;
    expect(draft).toMatchObject({ text: '@小美 AI答复1', source: 'ai', triggerNickname: '小美' });
    expect(h.room.sent).toEqual([]);
    const req = seen[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.auth).toBe('Bearer sk-test-secret-123');
    expect(req.body.model).toBe('fake-model');
    const system = req.body.messages[0]!;
    expect(system.role).toBe('system');
    for (const part of ['你是场控小助手', '蓝牙音箱', '直播价：99 元', '低音足', '今天直播间专享价']) expect(system.content).toContain(part);
    expect(req.body.messages.at(-1)).toEqual({ role: 'user', content: '小美：哪里发货' });
    await h.core.call('automation.draftSend', { draftId: draft.id });
    await until(() => h.room.sent.length === 1);
    expect(h.room.sent[0]!.text).toBe('@小美 AI答复1');
  });

  it('keeps each viewer’s context apart', async () => {
    await setup({ aiAutoSend: true });
    h.room.emit({ nickname: 'A', text: '发货快吗' });
    await until(() => seen.length === 1 && h.room.sent.length === 1);
    h.room.emit({ nickname: 'B', text: '尺码偏大吗' });
    await until(() => seen.length === 2);
    h.room.emit({ nickname: 'A', text: '那尺码呢' });
    await until(() => seen.length === 3);
    const dialog = (i: number) => seen[i]!.body.messages.slice(1).map((m) => `${m.role}:${m.content}`);
    expect(dialog(1)).toEqual(['user:B：尺码偏大吗']);
    expect(dialog(2)).toEqual(['user:A：发货快吗', 'assistant:AI答复1', 'user:A：那尺码呢']);
  });

  it('sends without confirmation only when the producer turned that off (aiAutoSend)', async () => {
    await setup({ aiAutoSend: true });
    h.room.emit({ nickname: 'A', text: '发货' });
    await until(() => h.room.sent.length === 1);
    expect(h.room.sent[0]!.text).toBe('@A AI答复1');
    expect(h.automation.engine.draftList()).toEqual([]);
  });

  it('falls back to the keyword reply on a time-out, and on an HTTP error', async () => {
    await setup();
    mode = 'slow';
    const t0 = Date.now();
    h.room.emit({ nickname: 'A', text: '发货' });
    await until(() => h.room.sent.length === 1);
    expect(h.room.sent[0]!.text).toBe('@A 江苏发货');
    expect(Date.now() - t0).toBeLessThan(1500);
    mode = 'error';
    h.room.emit({ nickname: 'B', text: '发货' });
    await until(() => h.room.sent.length === 2);
    expect(h.room.sent[1]!.text).toBe('@B 江苏发货');
    const log = await h.core.call('automation.log', {});
    expect(log.map((a) => a.reason)).toEqual([expect.stringContaining('AI HTTP 500'), expect.stringContaining('AI 超时')]);
  });

  it('keeps the key write-only, in the secret store and never in SQLite or the snapshot', async () => {
    await setup();
    const state = await h.core.call('automation.get', {});
    expect(state.ai).toMatchObject({ hasKey: true, model: 'fake-model' });
    expect(JSON.stringify(h.core.snapshot())).not.toContain('sk-test-secret-123');
    const rows = h.core.db.prepare('SELECT value FROM settings').all() as { value: string }[];
    expect(rows.some((r) => r.value.includes('sk-test-secret'))).toBe(false);
    expect(fs.readFileSync(path.join(h.core.dataDir, 'secrets.json'), 'utf8')).toContain('sk-test-secret-123');
    await h.core.call('automation.ai', { key: '' });
    expect((await h.core.call('automation.get', {})).ai.hasKey).toBe(false);
  });
});
