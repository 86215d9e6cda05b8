// The lineup domain: sessions (create, start, end), their lineup (add, edit, reorder, remove), pins, templates, and the
// desk around them (the on-air session, the host's teleprompter position, the global shortcuts). Commands, their HTTP
// routes and the `desk` snapshot part; the rows live in `core.sessions` / `core.templates`, which other domains read.
import type { LineupItem, SessionState } from '../../../shared/domain.ts';
import { DEFAULT_SHORTCUTS, type GlobalShortcuts, shortcutProblems } from '../../../shared/desk/shortcuts.ts';
import type { DeskState } from '../../../shared/protocol/lineup.ts';
import type { Core } from '../core.ts';
import { CoreError, conflict } from '../errors.ts';
import type { CoreModule } from '../module.ts';
import { bodyObject, idParam } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import type { LineupApi } from '../lineup-api.ts';
import { createLineupApi } from './api.ts';
import type { CatalogApi } from './sessions.ts';

export interface LineupDeps {
  /** the catalog's API: a template may name products deleted since it was saved */
  catalog: CatalogApi;
}

export class LineupModule implements CoreModule {
  readonly name = 'lineup';
  private readonly deps: LineupDeps;
  private core!: Core;
  /** what the review domain reads through (electron/core/lineup-api.ts); usable once the module is attached */
  readonly api: LineupApi = createLineupApi(() => this.core.sessions);
  /** where the host's 话术 teleprompter stands; in memory only (a restart starts it at the top) */
  private prompter: DeskState['prompter'] = null;

  constructor(deps: LineupDeps) {
    this.deps = deps;
  }

  /** for the catalog (LineupUse): titles of the sessions (not ended) whose lineup holds the product */
  activeSessionsWith(productId: number): string[] {
    return this.core.sessions.activeSessionsWith(productId);
  }

  /** for the catalog (LineupUse): the sessions not ended, with their pin */
  activeStates(): SessionState[] {
    return this.core.sessions.activeStates();
  }

  deskState(): DeskState {
    return { currentSessionId: this.core.currentSessionId(), prompter: this.prompter };
  }

  attach(core: Core): void {
    this.core = core;
    const { sessions, templates, settings } = core;
    const catalog = this.deps.catalog;
    const tx = <T>(fn: () => T): T => core.db.transaction(fn).immediate();
    /** Runs fn in one write transaction, then emits the session's new state. */
    const changeSession = (sessionId: number, fn: () => void): SessionState => {
      // the new state is read inside the write transaction (it sees its own changes): one transaction instead of one
      // implicit read transaction per statement after the commit, and nothing leaves before the commit (bench/obs.ts)
      const state = core.db
        .transaction(() => {
          fn();
          return sessions.state(sessionId);
        })
        .immediate();
      core.emit({ type: 'session.changed', session: state });
      return state;
    };
    const deskChanged = (): DeskState => {
      const desk = this.deskState();
      core.emit({ type: 'desk.changed', desk });
      return desk;
    };

    core.handle('session.create', ({ title, productIds, plannedStart, templateId }) => {
      const id = tx(() => {
        const sessionId = sessions.create(title, plannedStart ?? null, core.now());
        const fromTemplate = templateId !== undefined ? templates.get(templateId).items : [];
        // a template may name products deleted since it was saved: those are skipped
        for (const item of fromTemplate) if (catalog.exists(item.productId)) sessions.addItem(sessionId, item.productId, item);
        for (const productId of productIds ?? []) sessions.addItem(sessionId, productId, {});
        return sessionId;
      });
      const state = sessions.state(id);
      core.emit({ type: 'session.changed', session: state });
      return state;
    });
    core.handle('session.update', ({ sessionId, title, plannedStart }) =>
      changeSession(sessionId, () => sessions.update(sessionId, title, plannedStart)),
    );
    core.handle('session.start', ({ sessionId }) => {
      const state = changeSession(sessionId, () => {
        // one on-air session: followers never have to guess which of two live sessions the producer means (#13)
        const live = sessions.liveId();
        if (live !== null && live !== sessionId) {
          const other = sessions.summary(live);
          throw conflict(`「${other.title}」正在直播，请先下播再开播另一场 / session #${live} "${other.title}" is live: end it first`);
        }
        sessions.start(sessionId, core.now());
        settings.set('currentSessionId', sessionId);
      });
      deskChanged();
      return state;
    });
    core.handle('session.end', ({ sessionId }) => {
      const state = changeSession(sessionId, () => sessions.end(sessionId, core.now()));
      deskChanged();
      return state;
    });
    core.handle('session.pin', ({ sessionId, productId, lineupItemId }) =>
      changeSession(sessionId, () => sessions.pin(sessionId, { productId, lineupItemId }, core.now())),
    );
    core.handle('session.next', ({ sessionId }) => changeSession(sessionId, () => sessions.next(sessionId, core.now())));
    core.handle('session.unpin', ({ sessionId }) => changeSession(sessionId, () => sessions.unpin(sessionId, core.now())));
    core.handle('sessions.list', () => sessions.list());
    core.handle('session.get', ({ sessionId }) => sessions.state(sessionId));

    core.handle('lineup.add', ({ sessionId, productId, ...fields }) => {
      let item!: LineupItem;
      changeSession(sessionId, () => (item = sessions.addItem(sessionId, productId, fields)));
      return item;
    });
    core.handle('lineup.update', ({ itemId, ...fields }) => {
      const sessionId = sessions.item(itemId).sessionId;
      let item!: LineupItem;
      changeSession(sessionId, () => (item = sessions.updateItem(itemId, fields)));
      return item;
    });
    core.handle('lineup.remove', ({ itemId }) => {
      const sessionId = sessions.item(itemId).sessionId;
      changeSession(sessionId, () => sessions.removeItem(itemId));
      return { id: itemId };
    });
    core.handle('lineup.reorder', ({ sessionId, itemIds }) => changeSession(sessionId, () => sessions.reorder(sessionId, itemIds)));

    core.handle('template.saveFromSession', ({ sessionId, name }) => {
      const state = sessions.state(sessionId);
      const template = tx(() =>
        templates.create(
          name,
          state.lineup.map((i) => ({
            productId: i.productId,
            plannedMinutes: i.plannedMinutes,
            talkingPoints: i.talkingPoints,
            notes: i.notes,
          })),
          core.now(),
        ),
      );
      core.emit({ type: 'template.changed', templates: templates.list() });
      return template;
    });
    core.handle('template.delete', ({ templateId }) => {
      tx(() => templates.delete(templateId));
      core.emit({ type: 'template.changed', templates: templates.list() });
      return { id: templateId };
    });

    // the desk around the lineup: which session every follower shows, the teleprompter, the global shortcuts
    core.handle('desk.setCurrent', ({ sessionId }) => {
      sessions.summary(sessionId);
      tx(() => settings.set('currentSessionId', sessionId));
      return deskChanged();
    });
    core.handle('host.prompter', ({ sessionId, itemId, ratio }) => {
      const item = sessions.item(itemId);
      if (item.sessionId !== sessionId)
        throw new CoreError('bad_request', `排品 #${itemId} 不属于场次 #${sessionId} / lineup item ${itemId} belongs to another session`);
      this.prompter = { sessionId, itemId, ratio };
      return deskChanged();
    });
    core.handle('shortcuts.get', () => settings.get<GlobalShortcuts>('globalShortcuts') ?? DEFAULT_SHORTCUTS);
    core.handle('shortcuts.set', (config) => {
      const problems = Object.entries(shortcutProblems(config));
      if (problems.length) throw new CoreError('bad_request', problems.map(([action, p]) => `${action}: ${p}`).join('; '));
      tx(() => settings.set('globalShortcuts', config));
      core.emit({ type: 'shortcuts.changed', shortcuts: config });
      return config;
    });

    core.addSnapshotPart('desk', () => this.deskState());
  }

  routes(server: CoreServer): void {
    const core = server.core;
    const r = server.route.bind(server);
    // read-only views (host display, dashboard) hold a display token
    const view = { access: 'display' } as const;
    r('GET', '/api/v1/sessions', () => core.invoke('sessions.list', {}), view);
    r('POST', '/api/v1/sessions', (c) => core.invoke('session.create', c.body));
    r('GET', '/api/v1/sessions/:id', (c) => core.invoke('session.get', { sessionId: idParam(c) }), view);
    r('PATCH', '/api/v1/sessions/:id', (c) => core.invoke('session.update', { ...bodyObject(c.body), sessionId: idParam(c) }));
    for (const action of ['start', 'end', 'next', 'unpin'] as const) {
      r('POST', `/api/v1/sessions/:id/${action}`, (c) => core.invoke(`session.${action}`, { sessionId: idParam(c) }));
    }
    r('POST', '/api/v1/sessions/:id/pin', (c) => core.invoke('session.pin', { ...bodyObject(c.body), sessionId: idParam(c) }));
    r('POST', '/api/v1/sessions/:id/lineup', (c) => core.invoke('lineup.add', { ...bodyObject(c.body), sessionId: idParam(c) }));
    r('PUT', '/api/v1/sessions/:id/lineup/order', (c) => core.invoke('lineup.reorder', { ...bodyObject(c.body), sessionId: idParam(c) }));
    r('PATCH', '/api/v1/lineup/:id', (c) => core.invoke('lineup.update', { ...bodyObject(c.body), itemId: idParam(c) }));
    r('DELETE', '/api/v1/lineup/:id', (c) => core.invoke('lineup.remove', { itemId: idParam(c) }));
  }
}
