// The push page's view of the core: channels, templates, rules and the recent pushes with their deliveries, filled by
// the snapshot's "push" part and kept current by push.* events.
import type { Delivery, Push, PushChannel, PushRule, PushState, PushTemplate } from '../../../shared/protocol/push.ts';
import { desk } from './desk.svelte.ts';

class PushDesk {
  channels = $state.raw<PushChannel[]>([]);
  templates = $state.raw<PushTemplate[]>([]);
  rules = $state.raw<PushRule[]>([]);
  links = $state.raw<Record<number, string>>({});
  /** newest first */
  recent = $state.raw<Push[]>([]);

  constructor() {
    desk.onEvent((event) => {
      if (event.type === 'snapshot') {
        const part = event.snapshot.ext.push;
        if (part) {
          this.setState(part);
          this.recent = part.recent;
        }
      } else if (event.type === 'push.state') this.setState(event.state);
      else if (event.type === 'push.queued') this.recent = [event.push, ...this.recent.filter((p) => p.id !== event.push.id)].slice(0, 50);
      else if (event.type === 'push.delivery') this.applyDelivery(event.delivery);
    });
  }

  private setState(s: Omit<PushState, 'recent'>): void {
    this.channels = s.channels;
    this.templates = s.templates;
    this.rules = s.rules;
    this.links = s.links;
  }

  private applyDelivery(d: Delivery): void {
    const i = this.recent.findIndex((p) => p.id === d.pushId);
    if (i < 0) return;
    const push = this.recent[i]!;
    const deliveries = push.deliveries.map((x) => (x.id === d.id ? d : x));
    const firstSentAt = d.status === 'sent' && (push.firstSentAt === null || (d.sentAt ?? Infinity) < push.firstSentAt) ? d.sentAt : push.firstSentAt;
    this.recent = this.recent.with(i, { ...push, deliveries, firstSentAt });
  }

  get tags(): string[] {
    return [...new Set(this.channels.flatMap((c) => c.tags))].sort();
  }
}

export const pushDesk = new PushDesk();
