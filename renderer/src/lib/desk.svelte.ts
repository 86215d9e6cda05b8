// The desk's view of the core: filled by the snapshot, kept current by events. Views read it, commands go to the core.
import type { LineupTemplate, Product, SessionState, SessionSummary, Snapshot } from '../../../shared/domain.ts';
import type { CommandInput, CommandName, CommandResult, CoreEvent } from '../../../shared/protocol/index.ts';
import { createApi, type Api, type ConnectionState } from '../api/index.ts';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

class Desk {
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
  /** server clock minus ours, so timers agree across screens */
  clockOffset = 0;
  private toastSeq = 0;
  private listeners = new Set<(event: CoreEvent) => void>();

  constructor() {
    this.api = createApi();
    this.api.subscribe(
      (event) => this.apply(event),
      (state) => (this.connection = state),
    );
  }

  productById = $derived(new Map(this.products.map((p) => [p.id, p])));

  /** the live session, else the first draft one */
  get currentSession(): SessionState | null {
    const all = Object.values(this.states).filter((s) => s.status !== 'ended');
    return all.find((s) => s.status === 'live') ?? all[0] ?? null;
  }

  onEvent(listener: (event: CoreEvent) => void): () => void {
    this.listeners.add(listener);
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
    this.ready = true;
  }

  /** Runs a command; a failure becomes a toast the producer can read, and is rethrown for the caller. */
  async run<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>> {
    try {
      return await this.api.invoke(name, input);
    } catch (error) {
      this.toast('error', (error as Error).message);
      throw error;
    }
  }

  async loadSession(id: number): Promise<void> {
    const state = await this.api.invoke('session.get', { sessionId: id });
    this.states = { ...this.states, [id]: state };
  }

  toast(kind: Toast['kind'], text: string): void {
    const id = ++this.toastSeq;
    this.toasts = [...this.toasts.slice(-3), { id, kind, text }];
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), kind === 'error' ? 8000 : 3500);
  }
}

export const desk = new Desk();
