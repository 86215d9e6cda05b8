// The room automation domain in the core: keeps the rule sets and the producer's switches in SQLite, runs the engine
// against the console bridge's RoomControl (null until the bridge offers one), and records every action as a session
// event (log, per-minute counts, comment → reply time). See docs/automation.md.
import type {
  AiSettings,
  AutomationSettings,
  AutomationState,
  AutomationStatus,
  RuleSet,
  RuleSetKind,
  RuleSets,
} from '../../../shared/protocol/automation.ts';
import type { SessionState } from '../../../shared/domain.ts';
import type { RoomControl, RoomEvent } from '../room.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { CoreModule } from '../module.ts';
import type { SecretStore } from '../secrets.ts';
import type { AutomationApi } from '../automation-api.ts';
import { createAutomationApi } from './api.ts';
import { type ChatMessage, type ProductContext, ViewerContexts, draftReply, systemMessage } from './ai.ts';
import { type ActionRecord, AutomationEngine, type EngineConfig, type EngineContext } from './engine.ts';
import { AutomationRepo, OPTION_SCHEMAS } from './repo.ts';
import { parseSet } from './text.ts';

export const AI_KEY_SECRET = 'automation.aiKey';
const SETTINGS_KEY = 'automation.settings';
const AI_KEY = 'automation.ai';
const RECENT = 100;

const DEFAULT_SETTINGS: AutomationSettings = { paused: false, confirm: false, ratePerMin: 6, rehearsalAllowed: [] };
const DEFAULT_AI: Omit<AiSettings, 'hasKey'> = { enabled: false, baseUrl: '', model: '', systemPrompt: '', timeoutMs: 8000 };

export interface AutomationOptions {
  /** the console bridge's room (null until it is connected / until the bridge implements it) */
  room: () => RoomControl | null;
  /** the metrics source of a session ('simulator' = rehearsal) */
  sourceOf?: (sessionId: number) => string | null;
  secrets?: SecretStore;
  fetch?: typeof fetch;
  random?: () => number;
  /** start the engine's timer in start() (tests drive tick() themselves with false) */
  timer?: boolean;
}

export class AutomationModule implements CoreModule {
  readonly name = 'automation';
  private readonly options: AutomationOptions;
  private core!: Core;
  /** what the review domain reads through (electron/core/automation-api.ts); usable once the module is attached */
  readonly api: AutomationApi = createAutomationApi(() => this.core.db);
  private repo!: AutomationRepo;
  private secrets!: SecretStore;
  engine!: AutomationEngine;
  private config!: EngineConfig;
  private live: SessionState | null = null;
  private readonly contexts = new ViewerContexts();
  private readonly advanced = new Set<number>();
  private lastStatus = '';
  private statusTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: AutomationOptions) {
    this.options = options;
  }

  attach(core: Core): void {
    this.core = core;
    this.repo = new AutomationRepo(core.db);
    this.secrets = this.options.secrets ?? core.secrets;
    this.live = core.sessions.activeStates().find((s) => s.status === 'live') ?? null;
    this.reload();
    const random = this.options.random ?? Math.random;
    this.engine = new AutomationEngine({
      now: core.now,
      random,
      room: this.options.room,
      config: () => this.config,
      context: () => this.context(),
      record: (a) => this.record(a),
      draftsChanged: (drafts) => core.emit({ type: 'automation.drafts', drafts }),
      ai: (nickname, comment, product) => this.aiDraft(nickname, comment, product),
      orderSeen: (e) => this.orderSeen(e),
      followLineup: (sessionId) => this.followLineup(sessionId),
      log: core.log,
    });
    core.subscribe((event) => {
      if (event.type !== 'session.changed') return;
      const s = event.session;
      if (s.status === 'live') this.live = s;
      else if (this.live?.id === s.id) this.live = null;
    });
    core.addSnapshotPart('automation', () => this.state());

    core.handle('automation.get', () => this.state());
    core.handle('automation.preview', ({ kind, text }) => parseSet(kind, text, random).preview);
    core.handle('automation.saveSet', ({ kind, text, options }) => {
      const parsed = parseSet(kind, text, random);
      if (parsed.preview.errors) {
        const first = parsed.preview.lines.find((l) => l.error)!;
        throw new CoreError('bad_request', `第 ${first.line} 行：${first.error}（共 ${parsed.preview.errors} 行有误）/ line ${first.line}: ${first.error}`, {
          lines: parsed.preview.lines.filter((l) => l.error),
        });
      }
      const current = this.config.sets[kind];
      const merged = OPTION_SCHEMAS[kind].safeParse({ ...current.options, ...(options ?? {}) });
      if (!merged.success) throw new CoreError('bad_request', merged.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; '));
      return this.saveSet({ ...current, text, options: merged.data, updatedAt: core.now() } as RuleSet);
    });
    core.handle('automation.enable', ({ kind, enabled }) => {
      const current = this.config.sets[kind];
      if (enabled && !this.hasRules(kind)) throw new CoreError('bad_request', '这一组还没有规则 / this set has no rules yet');
      return this.saveSet({ ...current, enabled, updatedAt: core.now() } as RuleSet);
    });
    core.handle('automation.pauseAll', ({ paused }) => {
      const settings = this.saveSettings({ ...this.config.settings, paused });
      // within this call, not at the next tick: nothing queued goes out once the key is pressed
      if (paused) this.engine.tick();
      return settings;
    });
    core.handle('automation.settings', (input) => this.saveSettings({ ...this.config.settings, ...stripUndefined(input) }));
    core.handle('automation.allowRehearsal', ({ sessionId, allowed }) => {
      const set = new Set(this.config.settings.rehearsalAllowed);
      if (allowed) set.add(sessionId);
      else set.delete(sessionId);
      return this.saveSettings({ ...this.config.settings, rehearsalAllowed: [...set].slice(-50) });
    });
    core.handle('automation.ai', ({ key, ...rest }) => {
      const before = this.aiStored();
      // #14: a new endpoint would receive the key: the stored key is cleared unless a new one comes with it
      if (rest.baseUrl !== undefined && rest.baseUrl !== before.baseUrl && key === undefined) this.secrets.set(AI_KEY_SECRET, null);
      if (key !== undefined) this.secrets.set(AI_KEY_SECRET, key === null || key === '' ? null : key);
      const stored = { ...before, ...stripUndefined(rest) };
      core.settings.set(AI_KEY, stored);
      this.reload();
      this.emitChanged();
      return this.aiSettings();
    });
    core.handle('automation.draftSend', ({ draftId, text }) => {
      this.engine.sendDraft(draftId, text);
      return { draftId };
    });
    core.handle('automation.draftDrop', ({ draftId }) => {
      this.engine.dropDraft(draftId);
      return { draftId };
    });
    core.handle('automation.log', ({ sessionId, limit }) => this.repo.recent(limit ?? RECENT, sessionId));
    core.handle('automation.stats', ({ sessionId }) => {
      core.sessions.state(sessionId); // 404 for an unknown session
      return this.repo.stats(sessionId);
    });
  }

  start(): void {
    if (this.options.timer === false) return;
    this.engine.start();
    this.statusTimer = setInterval(() => this.emitStatusIfChanged(), 1000);
    this.statusTimer.unref?.();
  }

  stop(): void {
    this.engine?.stop();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────────────────────

  private hasRules(kind: RuleSetKind): boolean {
    const c = this.config;
    return kind === 'reply' ? c.replies.length > 0 : kind === 'pin' ? c.pinKeywords.length > 0 : kind === 'message' ? c.messages.length > 0 : c.seqs.length > 0;
  }

  /** Re-reads sets and settings from SQLite and re-parses the texts (after every change). */
  private reload(): void {
    const sets = this.repo.sets(this.core.now());
    const parsed = (kind: RuleSetKind) => parseSet(kind, sets[kind].text);
    const ai = this.aiSettings();
    this.config = {
      sets,
      replies: parsed('reply').replies,
      messages: parsed('message').messages,
      pinKeywords: parsed('pin').pinKeywords,
      seqs: parsed('rotation').seqs,
      settings: { ...DEFAULT_SETTINGS, ...(this.core.settings.get<Partial<AutomationSettings>>(SETTINGS_KEY) ?? {}) },
      aiReady: ai.enabled && ai.hasKey && !!ai.baseUrl && !!ai.model,
    };
  }

  private saveSet(set: RuleSet): RuleSet {
    this.repo.transaction(() => this.repo.saveSet(set));
    this.reload();
    this.emitChanged();
    return this.config.sets[set.kind];
  }

  private saveSettings(settings: AutomationSettings): AutomationSettings {
    this.core.settings.set(SETTINGS_KEY, settings);
    this.reload();
    this.emitChanged();
    return this.config.settings;
  }

  private aiStored(): Omit<AiSettings, 'hasKey'> {
    return { ...DEFAULT_AI, ...(this.core.settings.get<Partial<AiSettings>>(AI_KEY) ?? {}) };
  }

  private aiSettings(): AiSettings {
    return { ...this.aiStored(), hasKey: !!this.secrets.get(AI_KEY_SECRET) };
  }

  status(): AutomationStatus {
    const ctx = this.context();
    return { block: this.engine.block(this.config, ctx), sessionId: ctx.sessionId, rotationSeq: this.engine.currentSeq, queued: this.engine.queued };
  }

  state(): AutomationState {
    return {
      sets: this.config.sets,
      settings: this.config.settings,
      ai: this.aiSettings(),
      status: this.status(),
      drafts: this.engine.draftList(),
      log: this.repo.recent(RECENT),
    };
  }

  get sets(): RuleSets {
    return this.config.sets;
  }

  private emitChanged(): void {
    const status = this.status();
    this.lastStatus = JSON.stringify(status);
    this.core.emit({ type: 'automation.changed', sets: this.config.sets, settings: this.config.settings, ai: this.aiSettings(), status });
  }

  emitStatusIfChanged(): void {
    if (JSON.stringify(this.status()) !== this.lastStatus) this.emitChanged();
  }

  private context(): EngineContext {
    const s = this.live;
    if (!s) return { sessionId: null, rehearsal: false, product: null };
    const item = s.segment?.lineupItemId ? s.lineup.find((i) => i.id === s.segment!.lineupItemId) : undefined;
    const product: ProductContext | null = s.pinned
      ? { title: s.pinned.title, price: s.pinned.livePrice ?? s.pinned.price, sellingPoints: s.pinned.sellingPoints, talkingPoints: item?.talkingPoints || null }
      : null;
    return { sessionId: s.id, rehearsal: this.options.sourceOf?.(s.id) === 'simulator', product };
  }

  // ── engine callbacks ───────────────────────────────────────────────────────────────────────────────────────────

  /** One transaction, then the event; a failed write is logged, never thrown into the engine. */
  private record(a: ActionRecord): void {
    try {
      const action = this.repo.transaction(() => this.repo.addAction(a));
      this.core.emit({ type: 'automation.action', action });
    } catch (error) {
      this.core.log(`automation: action not recorded: ${(error as Error).message}`);
    }
  }

  private orderSeen(e: RoomEvent): void {
    const sessionId = e.sessionId ?? this.live?.id ?? null;
    if (sessionId === null) return; // review reads orders per session; outside one there is nothing to compare with
    try {
      this.repo.transaction(() => this.repo.addOrder(sessionId, e.ts, e.id, e.nickname));
    } catch (error) {
      this.core.log(`automation: order not recorded: ${(error as Error).message}`);
    }
  }

  private async aiDraft(nickname: string, comment: string, product: ProductContext | null): Promise<string> {
    const ai = this.aiStored();
    const key = this.secrets.get(AI_KEY_SECRET);
    if (!key) throw new CoreError('unavailable', 'AI 未设置密钥 / no AI key');
    const user: ChatMessage = { role: 'user', content: `${nickname}：${comment}` };
    const messages: ChatMessage[] = [{ role: 'system', content: systemMessage(ai.systemPrompt, product) }, ...this.contexts.history(nickname), user];
    const text = await draftReply({ baseUrl: ai.baseUrl, model: ai.model, key, systemPrompt: ai.systemPrompt, timeoutMs: ai.timeoutMs }, messages, this.options.fetch);
    this.contexts.add(nickname, user);
    this.contexts.add(nickname, { role: 'assistant', content: text });
    return text;
  }

  /** Follow the lineup: once the current item's planned minutes are over, NEXT (once per segment). */
  private followLineup(sessionId: number): void {
    const s = this.live;
    if (!s || s.id !== sessionId || !s.segment || this.advanced.has(s.segment.id) || !s.next) return;
    const item = s.lineup.find((i) => i.id === s.segment!.lineupItemId);
    if (!item || item.plannedMinutes <= 0) return;
    if (this.core.now() - s.segment.startedAt < item.plannedMinutes * 60_000) return;
    const segmentId = s.segment.id;
    this.advanced.add(segmentId);
    const title = s.pinned?.title ?? '';
    this.core.call('session.next', { sessionId }).then(
      (state) =>
        this.record({
          sessionId,
          ts: this.core.now(),
          kind: 'next',
          status: 'sent',
          rule: '跟随排品',
          reason: `「${title}」计划 ${item.plannedMinutes} 分钟已到 / planned minutes over`,
          text: state.pinned?.title ?? '',
          triggerNickname: null,
          triggerTs: null,
          triggerKind: null,
          error: null,
        }),
      (error: Error) => this.core.log(`automation: NEXT failed: ${error.message}`),
    );
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
