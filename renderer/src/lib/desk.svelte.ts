// The desk's view of the core: filled by the snapshot, kept current by events. Views read it, commands go to the core.
// Created by createDesk(api) in App.svelte and provided through context (getDesk()); the domain stores (metrics, push,
// …) are built on it, one per desk, the first time a view asks (desk.store(createX)).
import type { LineupTemplate, Product, SessionState, SessionSummary, Snapshot } from '../../../shared/domain.ts';
import type { CommandInput, CommandName, CommandResult, CoreEvent } from '../../../shared/protocol/index.ts';
import type { DeskState } from '../../../shared/protocol/lineup.ts';
import type { Api, ConnectionState } from '../api/index.ts';
import { contextEntry } from './context.ts';
import { setImageOrigin } from './images.ts';
import { readableError } from './net-errors.ts';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** commands a producer fires on air; their round trip is shown, and a pending sign while the core has not answered */
const ON_AIR_COMMANDS = new Set<CommandName>(['session.pin', 'session.next', 'session.unpin', 'session.start', 'session.end']);

export class Desk {
  readonly api: Api;
  products = $state.raw<Product[]>([]);
  sessions = $state.raw<SessionSummary[]>([]);
  /** session states by id: every live/draft one from the snapshot, plus any one a view asked for */
  states = $state.raw<Record<number, SessionState>>({});
  templates = $state.raw<LineupTemplate[]>([]);
  connection = $state<ConnectionState>('connecting');
  ready = $state(false);
  version = $state('');
  toasts = $state<Toast[]>([]);
  /** the on-air session every follower shows, and the host teleprompter's position (core: desk.setCurrent) */
  desk = $state.raw<DeskState>({ currentSessionId: null, prompter: null });
  /** on-air commands sent and not yet answered: what, since when (the producer sees a pending sign) */
  pending = $state.raw<{ seq: number; name: string; since: number }[]>([]);
  /** the last on-air command's round trip (ms), shown beside the pending sign */
  lastRoundTrip = $state<number | null>(null);
  private pendingSeq = 0;
  /** server clock minus ours, so timers agree across screens */
  clockOffset = 0;
  private toastSeq = 0;
  private listeners = new Set<(event: CoreEvent) => void>();
  private stores = new Map<(desk: Desk) => unknown, unknown>();
  private teardowns: (() => void)[] = [];

  constructor(api: Api) {
    this.api = api;
    this.teardowns.push(
      api.subscribe(
        (event) => this.apply(event),
        (state) => (this.connection = state),
      ),
    );
  }

  /**
   * The one store of a kind on this desk (metrics, push, tick …), made by `create` the first time a view asks. Made on
   * first use rather than by App.svelte, so each store's code stays in the chunk of the page that needs it (the host
   * display never downloads the push store; tests/e2e/page-weight.spec.ts).
   */
  store<T>(create: (desk: Desk) => T): T {
    if (!this.stores.has(create)) this.stores.set(create, create(this));
    return this.stores.get(create) as T;
  }

  /** runs `fn` when the desk is destroyed (a store's timer, a listener outside the desk) */
  onDestroy(fn: () => void): void {
    this.teardowns.push(fn);
  }

  /** closes the connection and stops every store's timers (a test's cleanup; the app keeps its desk for its lifetime) */
  destroy(): void {
    for (const fn of this.teardowns.splice(0).reverse()) fn();
    this.listeners.clear();
  }

  productById = $derived(new Map(this.products.map((p) => [p.id, p])));

  /** the on-air session: the live one, else the producer's chosen one (even ended: followers show 已下播), else a draft */
  get currentSession(): SessionState | null {
    const all = Object.values(this.states).filter((s) => s.status !== 'ended');
    const live = all.find((s) => s.status === 'live');
    if (live) return live;
    const chosen = this.desk.currentSessionId;
    if (chosen !== null) return this.states[chosen] ?? null;
    return all[0] ?? null;
  }

  onEvent(listener: (event: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    // a store created after the snapshot arrived (a page or badge loaded on first use, #17) starts from a fresh
    // snapshot of its own, not from nothing until its next event
    if (this.ready) {
      void this.api
        .invoke('snapshot', {})
        .then((snapshot) => {
          if (this.listeners.has(listener)) listener({ type: 'snapshot', snapshot });
        })
        .catch(() => undefined);
    }
    return () => this.listeners.delete(listener);
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  apply(event: CoreEvent): void {
    switch (event.type) {
      case 'snapshot':
        this.load(event.snapshot);
        break;
      case 'product.upserted': {
        const i = this.products.findIndex((p) => p.id === event.product.id);
        this.products = i >= 0 ? this.products.with(i, event.product) : [...this.products, event.product];
        break;
      }
      case 'product.removed':
        this.products = this.products.filter((p) => p.id !== event.id);
        break;
      case 'catalog.replaced':
        this.products = event.products;
        break;
      case 'session.changed': {
        const s = event.session;
        this.states = { ...this.states, [s.id]: s };
        const summary: SessionSummary = {
          id: s.id,
          title: s.title,
          status: s.status,
          plannedStart: s.plannedStart,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          createdAt: s.createdAt,
          lineupCount: s.lineup.length,
        };
        const i = this.sessions.findIndex((x) => x.id === s.id);
        this.sessions = i >= 0 ? this.sessions.with(i, summary) : [summary, ...this.sessions];
        break;
      }
      case 'desk.changed':
        this.desk = event.desk;
        break;
      case 'template.changed':
        this.templates = event.templates;
        break;
      default:
        break;
    }
    for (const l of this.listeners) l(event);
  }

  private load(s: Snapshot): void {
    this.clockOffset = s.serverTime - Date.now();
    this.version = s.version;
    this.products = s.products;
    this.sessions = s.sessions;
    const kept = Object.fromEntries(Object.entries(this.states).filter(([, st]) => st.status === 'ended'));
    this.states = { ...kept, ...Object.fromEntries(s.active.map((st) => [st.id, st])) };
    this.templates = s.templates;
    const deskPart = s.ext.desk as DeskState | undefined;
    if (deskPart) this.desk = deskPart;
    this.ready = true;
    // a window loaded from a file reaches stored product images (/images/…) on the core's own HTTP server
    if (location.protocol === 'file:' && !this.imageOriginSet) {
      this.imageOriginSet = true;
      void this.api.invoke('server.info', {}).then((info) => setImageOrigin(`http://127.0.0.1:${info.port}`)).catch(() => (this.imageOriginSet = false));
    }
  }
  private imageOriginSet = false;

  /** Runs a command; a failure becomes a toast the producer can read, and is rethrown for the caller. */
  async run<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>> {
    const tracked = ON_AIR_COMMANDS.has(name);
    const seq = ++this.pendingSeq;
    const since = performance.now();
    if (tracked) this.pending = [...this.pending, { seq, name, since }];
    try {
      const result = await this.api.invoke(name, input);
      if (tracked) this.lastRoundTrip = Math.round(performance.now() - since);
      return result;
    } catch (error) {
      this.toast('error', (error as Error).message);
      throw error;
    } finally {
      if (tracked) this.pending = this.pending.filter((p) => p.seq !== seq);
    }
  }

  async loadSession(id: number): Promise<void> {
    const state = await this.api.invoke('session.get', { sessionId: id });
    this.states = { ...this.states, [id]: state };
  }

  toast(kind: Toast['kind'], text: string): void {
    // network and peer errors explained in the UI language (ECONNREFUSED → what it means and what to do)
    if (kind === 'error') text = readableError(text, (globalThis.localStorage?.getItem('livecue.lang') as 'zh' | 'en' | null) ?? 'zh');
    const id = ++this.toastSeq;
    this.toasts = [...this.toasts.slice(-3), { id, kind, text }];
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), kind === 'error' ? 8000 : 3500);
  }
}

/** The desk over an Api: it subscribes at once (a snapshot, then events). App.svelte makes one with the real carrier. */
export function createDesk(api: Api): Desk {
  return new Desk(api);
}

export const deskContext = contextEntry<Desk>('desk');
export const setDeskContext = deskContext.set;
/** the desk App.svelte provides (call during component initialisation) */
export const getDesk = deskContext.get;
