// The push page's state (snapshot part `push`, event `push.state`): robots with their platform pause, templates, rules,
// session links and entry points, and the countdowns running now.
import type { Core } from '../core.ts';
import type { RuleCountdown } from './countdown.ts';
import type { EntryRepo } from './entry.ts';
import type { PushRepo } from './outbox.ts';
import type { Sender } from './sender.ts';

export class PushState {
  private readonly core: Core;
  private readonly store: PushRepo;
  private readonly entries: EntryRepo;
  private readonly sender: () => Sender;
  private readonly countdown: () => RuleCountdown;

  constructor(core: Core, store: PushRepo, entries: EntryRepo, sender: () => Sender, countdown: () => RuleCountdown) {
    this.core = core;
    this.store = store;
    this.entries = entries;
    this.sender = sender;
    this.countdown = countdown;
  }

  /** the robots, each with the pause its platform imposed (DingTalk's 10 minutes), if any */
  channels() {
    return this.store.listChannels().map((c) => ({ ...c, pausedUntil: this.sender().pausedUntil(c.id) }));
  }

  current() {
    const links = this.store.links();
    return {
      channels: this.channels(),
      templates: this.store.listTemplates(),
      rules: this.store.listRules(),
      links,
      entries: this.entries.all(links),
      pending: this.countdown().list(),
    };
  }

  emit(): void {
    this.core.emit({ type: 'push.state', state: this.current() });
  }
}
