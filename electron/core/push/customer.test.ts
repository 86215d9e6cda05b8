// The customer-group outbox on its own (real SQLite, the documented WeCom fake): a create answered -1 (系统繁忙) may or
// may not have created the task — it is looked up, and only what WeCom really holds is followed; nothing is created twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WecomFake } from '../../../tests/fakes/wecom-customer.ts';
import { testCore } from '../../../tests/helpers/core.ts';
import { CustomerEngine, CustomerRepo } from './customer.ts';
import { WecomApi } from './wecom-api.ts';

let fake: WecomFake;
beforeEach(async () => {
  fake = new WecomFake([{ chatId: 'wrA', name: 'A', owner: 'anna', members: 5 }]);
  await fake.listen();
});
afterEach(() => fake.close());

async function setup() {
  const t = testCore({ start: Date.now() });
  const store = new CustomerRepo(t.core.db);
  store.saveGroups([{ chatId: 'wrA', name: 'A', owner: 'anna', memberCount: 5 }], Date.now());
  const session = await t.core.call('session.create', { title: 's' });
  const pushId = Number(
    t.core.db.prepare("INSERT INTO pushes (session_id, trigger, format, title, text, created_at) VALUES (?, 'manual', 'text', '', 'x', ?)").run(session.id, Date.now()).lastInsertRowid,
  );
  const [taskId] = store.planTasks(pushId, { chatIds: ['wrA'], momentOwners: [], body: { text: '今晚见', link: null, miniprogram: null, poster: null }, withPoster: false }, Date.now());
  const api = new WecomApi({ base: fake.base, credentials: () => ({ corpId: fake.corpId, secret: fake.secret }) });
  const engine = new CustomerEngine(store, () => api, { now: Date.now, pollMs: 50, timeScale: 0.01, log: () => {}, onChange: () => {}, poster: () => null });
  engine.start();
  const status = () => store.deliveriesOfPush(pushId)[0]!.status;
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  };
  return { t, store, engine, taskId: taskId!, status, until };
}

describe('customer-group outbox', () => {
  it('-1 after WeCom created the task: found by look-up, followed, never created twice', async () => {
    fake.busyOnce = 'after-create';
    const s = await setup();
    await s.until(() => s.status() === 'awaiting_confirmation');
    expect(s.status()).toBe('awaiting_confirmation');
    expect(fake.msgs).toHaveLength(1);
    expect(s.store.task(s.taskId).msgid).toBe(fake.msgs[0]!.msgid);
    fake.confirm('anna');
    await s.until(() => s.status() === 'sent');
    expect(s.status()).toBe('sent');
    expect(fake.calls('add_msg_template')).toHaveLength(1);
    await s.engine.stop();
    s.t.core.close();
  });

  it('-1 before anything was created: not found, left unknown for the producer — not created again by itself', async () => {
    fake.busyOnce = 'before-create';
    const s = await setup();
    await s.until(() => s.status() === 'unknown');
    expect(s.status()).toBe('unknown');
    expect(s.store.deliveriesOfPush(s.store.task(s.taskId).push_id)[0]!.lastError).toMatch(/resend it by hand/);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls('add_msg_template')).toHaveLength(1);
    expect(fake.msgs).toHaveLength(0);
    // the producer's explicit choice
    s.store.resendTask(s.taskId, Date.now());
    s.engine.kick();
    await s.until(() => s.status() === 'awaiting_confirmation');
    expect(fake.msgs).toHaveLength(1);
    await s.engine.stop();
    s.t.core.close();
  });
});
