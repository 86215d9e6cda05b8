// Issue 14 finding 8: imported bundles were trusted. Recording paths could name any file (a symlink named .mp4 served
// /etc/passwd, secrets.json, the database) and the report told whether a path existed and its size; products skipped
// validation (a javascript: image URL, control characters); OBS cues came along (a StopStreaming hotkey fired on pin).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHost } from '../helpers/core.ts';
import { tempDir } from '../helpers/serve.ts';
import type { RunningHost } from '../../electron/core/host.ts';
import { reviewModule } from '../helpers/review.ts';

let src: RunningHost;
let dst: RunningHost;
let bundle: any;
let videos: string;
beforeAll(async () => {
  src = await testHost([reviewModule()]);
  dst = await testHost([reviewModule()]);
  videos = tempDir('livecue-videos-');
  const p = await src.core.call('product.create', { title: '面霜', price: 100 });
  const s = await src.core.call('session.create', { title: '晚场', productIds: [p.id] });
  await src.core.call('session.start', { sessionId: s.id });
  src.core.db.prepare("INSERT INTO obs_item_cues (lineup_item_id, scene_name, hotkey_name) VALUES (?, NULL, 'OBSBasic.StopStreaming')").run(s.lineup[0]!.id);
  src.core.db
    .prepare("INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, 1, 'record', 'OBS_WEBSOCKET_OUTPUT_STOPPED', 0, ?)")
    .run(s.id, path.join(videos, 'show.mp4'));
  await src.core.call('session.end', { sessionId: s.id });
  bundle = await src.core.call('review.exportBundle', { sessionId: s.id });
});
afterAll(async () => {
  await src?.stop();
  await dst?.stop();
});

const post = (body: unknown) =>
  fetch(`${dst.url}api/v1/sessions/import`, { method: 'POST', headers: { authorization: `Bearer ${dst.core.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describe('imported bundles are not trusted', () => {
  it('a recording path pointing at the target’s secrets is dropped on import; re-linking is the user’s', async () => {
    const evil = structuredClone(bundle);
    for (const e of evil.data.stream_events) if (e.kind === 'record') e.output_path = path.join(dst.core.dataDir, 'secrets.json');
    const r = await post(evil);
    expect(r.status).toBe(200);
    const rows = dst.core.db.prepare("SELECT output_path FROM stream_events WHERE session_id = ? AND kind = 'record'").all(r.body.sessionId);
    expect(rows).toEqual([{ output_path: null }]);
    const rec = await fetch(`${dst.url}api/v1/sessions/${r.body.sessionId}/recording?i=0`, { headers: { authorization: `Bearer ${dst.core.token}` } });
    expect(rec.status).toBe(404);
  });

  it('the user re-links a recording: only a real video file outside the data folder is accepted', async () => {
    const r = await post(bundle);
    const id = r.body.sessionId as number;
    fs.symlinkSync(path.join(dst.core.dataDir, 'secrets.json'), path.join(videos, 'relink-evil.mp4'));
    await expect(dst.core.call('review.linkRecording', { sessionId: id, path: path.join(videos, 'relink-evil.mp4') })).rejects.toThrow(/not a usable video file/);
    await expect(dst.core.call('review.linkRecording', { sessionId: id, path: '/etc/passwd' })).rejects.toThrow(/not a usable video file/);
    fs.writeFileSync(path.join(videos, 'real.webm'), Buffer.alloc(2048, 1));
    const ok = await dst.core.call('review.linkRecording', { sessionId: id, path: path.join(videos, 'real.webm') });
    expect(ok.sizeBytes).toBe(2048);
    const rec = await fetch(`${dst.url}api/v1/sessions/${id}/recording?i=0`, { headers: { authorization: `Bearer ${dst.core.token}` } });
    expect(rec.status).toBe(200);
    expect((await rec.arrayBuffer()).byteLength).toBe(2048);
  });

  it('a symlink named .mp4 to a secret or the database is never served, and the report tells nothing of it', async () => {
    const s = await dst.core.call('session.create', { title: 'links' });
    const ev = dst.core.db.prepare("INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, 'record', 'x', 0, ?)");
    const targets = ['/etc/passwd', path.join(dst.core.dataDir, 'secrets.json'), path.join(dst.core.dataDir, 'livecue.sqlite')];
    targets.forEach((t, i) => {
      const link = path.join(videos, `leak${i}.mp4`);
      fs.symlinkSync(t, link);
      ev.run(s.id, i + 1, link);
    });
    // a .mp4 symlink to a .mp4 inside the data folder is refused too
    fs.writeFileSync(path.join(dst.core.dataDir, 'inside.mp4'), 'x');
    fs.symlinkSync(path.join(dst.core.dataDir, 'inside.mp4'), path.join(videos, 'leak3.mp4'));
    ev.run(s.id, 4, path.join(videos, 'leak3.mp4'));
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${dst.url}api/v1/sessions/${s.id}/recording?i=${i}`, { headers: { authorization: `Bearer ${dst.core.token}` } });
      const text = await res.text();
      expect(res.status).toBe(404);
      expect(text).not.toMatch(/root:|token|SQLite format/);
    }
    await dst.core.call('session.start', { sessionId: s.id });
    await dst.core.call('session.end', { sessionId: s.id });
    const report = (await dst.core.call('review.report', { sessionId: s.id })) as { recordings: { available: boolean; sizeBytes: number | null }[] };
    expect(report.recordings.map((r) => [r.available, r.sizeBytes])).toEqual([
      [false, null],
      [false, null],
      [false, null],
      [false, null],
    ]);
  });

  it('products are validated as live input: a javascript: image URL or control characters refuse the whole bundle', async () => {
    const before = dst.core.db.prepare('SELECT count(*) n FROM sessions').get();
    const js = structuredClone(bundle);
    js.data.products[0].image_url = 'javascript:alert(document.cookie)';
    const r1 = await post(js);
    expect(r1.status).toBe(400);
    expect(JSON.stringify(r1.body.error)).toMatch(/products\[0\]\.imageUrl/);
    const ctl = structuredClone(bundle);
    ctl.data.products[0].title = '面霜\u0007\u001b[31m';
    expect((await post(ctl)).status).toBe(400);
    expect(dst.core.db.prepare('SELECT count(*) n FROM sessions').get()).toEqual(before);
  });

  it('OBS cues (a StopStreaming hotkey that fires on pin) are dropped', async () => {
    expect(bundle.data.obs_item_cues).toEqual([expect.objectContaining({ hotkey_name: 'OBSBasic.StopStreaming' })]);
    const r = await post(bundle);
    expect(r.status).toBe(200);
    expect(dst.core.db.prepare('SELECT count(*) n FROM obs_item_cues').get()).toEqual({ n: 0 });
  });
});
