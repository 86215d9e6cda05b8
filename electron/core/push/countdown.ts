// Automatic rules: a due rule is announced with a countdown toast (取消 stops it for the session) and written to the
// outbox only when the countdown ends; in a rehearsal (simulator source) it is held back unless the producer allowed
// pushes for that session. A rule fires at most once per session (unique (session, rule) index).
import { randomBytes } from 'node:crypto';
import type { Product } from '../../../shared/domain.ts';
import type { PendingPush, PushRule } from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import type { MessageComposer } from './compose.ts';
import type { CustomerEngine, CustomerRepo } from './customer.ts';
import type { EntryRepo } from './entry.ts';
import type { PushRepo } from './outbox.ts';
import type { Sender } from './sender.ts';

export interface CountdownDeps {
  core: Core;
  store: PushRepo;
  customers: CustomerRepo;
  entries: EntryRepo;
  composer: MessageComposer;
  sender: Sender;
  engine: CustomerEngine;
  /** metrics: is this session a rehearsal (simulator source)? */
  isRehearsal: ((sessionId: number) => boolean) | undefined;
  /** how long an automatic push waits behind its toast (0 = none) */
  countdownMs: () => number;
  tx: <T>(fn: () => T) => T;
}

export class RuleCountdown {
  private readonly deps: CountdownDeps;
  private readonly pending = new Map<string, { info: PendingPush; timer: NodeJS.Timeout; run: () => void }>();
  /** rule × session pairs the producer cancelled from the toast: they do not come back for that session */
  private readonly heldBack = new Set<string>();
  /** rule × session pairs a rehearsal held back (no toast every tick); cleared when the session allows rehearsal pushes */
  private readonly rehearsalHeld = new Set<string>();

  constructor(deps: CountdownDeps) {
    this.deps = deps;
  }

  /** the countdowns running now (state and `push.pending`) */
  list(): PendingPush[] {
    return [...this.pending.values()].map((p) => p.info);
  }

  private emit(): void {
    this.deps.core.emit({ type: 'push.pending', pending: this.list() });
  }

  /** A rule is due (Triggers): announced with its countdown, or held back; never written here before the countdown ends. */
  announce(rule: PushRule, sessionId: number, product: Product | null): number | null {
    const { core, store } = this.deps;
    const key = `${sessionId}:${rule.id}`;
    if (store.hasFired(sessionId, rule.id) || this.heldBack.has(key) || this.rehearsalHeld.has(key)) return null;
    if ([...this.pending.values()].some((p) => p.info.sessionId === sessionId && p.info.ruleId === rule.id)) return null;
    void this.deps.composer.prefetchProductLink(product);
    const rehearsal = this.deps.isRehearsal?.(sessionId) ?? false;
    if (rehearsal && !this.deps.entries.get(sessionId, null).allowRehearsalPush) {
      this.rehearsalHeld.add(key);
      core.log(`push: rule ${rule.id} (${rule.kind}) held back: session ${sessionId} is a rehearsal (simulator source)`);
      return null;
    }
    const wait = this.deps.countdownMs();
    if (wait === 0) return this.fire(rule, sessionId, product);
    const pendingId = `p${randomBytes(5).toString('hex')}`;
    const template = store.listTemplates().find((t) => t.id === rule.templateId);
    const info: PendingPush = {
      pendingId,
      sessionId,
      ruleId: rule.id,
      ruleKind: rule.kind,
      fireAt: core.now() + wait,
      summary: template?.name ?? rule.kind,
    };
    const run = () => {
      if (!this.pending.delete(pendingId)) return;
      this.emit();
      this.fire(rule, sessionId, product);
    };
    const timer = setTimeout(run, wait);
    timer.unref?.();
    this.pending.set(pendingId, { info, timer, run });
    this.emit();
    return null;
  }

  /** push.pending.cancel: cancelled = this rule does not fire again for this session (the producer decided) */
  cancel(pendingId: string): { pendingId: string; cancelled: boolean } {
    const p = this.pending.get(pendingId);
    if (!p) return { pendingId, cancelled: false };
    clearTimeout(p.timer);
    this.pending.delete(pendingId);
    this.heldBack.add(`${p.info.sessionId}:${p.info.ruleId}`);
    this.deps.core.log(`push: rule ${p.info.ruleId} (${p.info.ruleKind}) cancelled from its countdown for session ${p.info.sessionId}`);
    this.emit();
    return { pendingId, cancelled: true };
  }

  /** the session now allows rehearsal pushes: what the rehearsal held back may be announced at the next check */
  releaseRehearsal(sessionId: number): void {
    for (const key of [...this.rehearsalHeld]) if (key.startsWith(`${sessionId}:`)) this.rehearsalHeld.delete(key);
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  /** A rule fires for a session: one transaction, guarded by the unique (session, rule) index. */
  private fire(rule: PushRule, sessionId: number, product: Product | null): number | null {
    const { core, store, customers, composer } = this.deps;
    try {
      const pushId = this.deps.tx(() => {
        if (store.hasFired(sessionId, rule.id)) return null;
        const channelIds = store.channelsByTags(rule.tags);
        // customer groups only by an explicit tag (never "every customer group" by default), and only those with quota left
        const now = core.now();
        const chats = rule.tags.length
          ? customers
              .groups(now)
              .filter((g) => g.quota.left > 0 && g.tags.some((t) => rule.tags.includes(t)))
              .map((g) => g.chatId)
          : [];
        if (!channelIds.length && !chats.length) return null;
        const t = store.template(rule.templateId);
        const message = composer.message(t.format, t.title, t.body, composer.context(sessionId, product), null);
        const pushId = store.createPush(
          { sessionId, trigger: rule.kind, ruleId: rule.id, message, channelIds, oversize: 'fail', allowNoChannels: chats.length > 0 },
          now,
        );
        if (chats.length) {
          const text = [message.title, message.text].filter(Boolean).join('\n');
          const body = composer.taskBody(sessionId, text, message.title, null, rule.kind === 'hot_pin' ? product : null);
          customers.planTasks(pushId, { chatIds: chats, momentOwners: [], body, withPoster: false }, now);
        }
        return pushId;
      });
      if (pushId === null) return null;
      core.emit({ type: 'push.queued', push: store.push(pushId) });
      this.deps.sender.kick();
      this.deps.engine.kick();
      return pushId;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (!String(e.code ?? '').startsWith('SQLITE_CONSTRAINT'))
        core.log(`push: rule ${rule.id} (${rule.kind}) failed for session ${sessionId}: ${e.message}`);
      return null;
    }
  }
}
