// The push page's view of the core: channels, templates, rules and the recent pushes with their deliveries, filled by
// the snapshot's "push" part and kept current by push.* events.
import type {
  CustomerDelivery,
  CustomerGroup,
  Delivery,
  PendingPush,
  Push,
  PushChannel,
  PushRule,
  PushState,
  PushTemplate,
  SessionEntry,
  WecomStatus,
} from '../../../shared/protocol/push.ts';
import { getDesk, type Desk } from './desk.svelte.ts';

export class PushDesk {
  channels = $state.raw<PushChannel[]>([]);
  templates = $state.raw<PushTemplate[]>([]);
  rules = $state.raw<PushRule[]>([]);
  links = $state.raw<Record<number, string>>({});
  /** newest first */
  recent = $state.raw<Push[]>([]);
  // #12: entry points, automatic pushes waiting behind their countdown, WeCom customer groups
  entries = $state.raw<Record<number, SessionEntry>>({});
  pending = $state.raw<PendingPush[]>([]);
  wecom = $state.raw<WecomStatus | null>(null);
  groups = $state.raw<CustomerGroup[]>([]);

  private readonly desk: Desk;
  constructor(desk: Desk) {
    this.desk = desk;
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
      else if (event.type === 'push.customer') this.applyCustomer(event.pushId, event.customer);
      else if (event.type === 'push.pending') this.pending = event.pending;
      else if (event.type === 'push.wecom') this.wecom = event.status;
    });
  }

  private applyCustomer(pushId: number, customer: CustomerDelivery[]): void {
    const i = this.recent.findIndex((p) => p.id === pushId);
    if (i < 0) return;
    const push = this.recent[i]!;
    const sent = customer.filter((c) => c.sentAt !== null).map((c) => c.sentAt!);
    const firstSentAt = sent.length ? Math.min(push.firstSentAt ?? Infinity, ...sent) : push.firstSentAt;
    this.recent = this.recent.with(i, { ...push, customer, firstSentAt });
  }

  async loadWecom(refresh = false): Promise<void> {
    this.wecom = await this.desk.api.invoke('push.wecom.status', {});
    if (this.wecom.configured) this.groups = await this.desk.api.invoke('push.wecom.groups', refresh ? { refresh: true } : {});
  }

  get groupTags(): string[] {
    return [...new Set(this.groups.flatMap((g) => g.tags))].sort();
  }

  private setState(s: Omit<PushState, 'recent'>): void {
    this.channels = s.channels;
    this.templates = s.templates;
    this.rules = s.rules;
    this.links = s.links;
    this.entries = s.entries ?? {};
    this.pending = s.pending ?? [];
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

export const createPush = (desk: Desk): PushDesk => new PushDesk(desk);
/** this desk's push store (call during component initialisation) */
export const getPush = (): PushDesk => getDesk().store(createPush);
