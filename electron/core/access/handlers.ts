// access.* commands (owner only, see policy.ts) and the trigger routes Stream Deck / Companion buttons call.
import type { IssuedToken, Role, TriggerAction } from '../../../shared/protocol/access.ts';
import { TRIGGER_ACTIONS } from '../../../shared/protocol/access.ts';
import type { SessionState } from '../../../shared/domain.ts';
import { CoreError } from '../errors.ts';
import type { CoreServer } from '../server/server.ts';
import { qrcode } from '../qr.ts';


export function registerAccess(server: CoreServer): void {
  const core = server.core;
  const changed = () => core.emit({ type: 'access.changed', tokens: core.access.list() });
  const issue = async (issued: { token: IssuedToken['token']; secret: string }): Promise<IssuedToken> => {
    const links = await Promise.all(
      linksFor(issued.token.role, server.baseUrls()[0]!, issued.secret).map(async (l) => ({
        ...l,
        qrSvg: await (await qrcode()).toString(l.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      })),
    );
    return { ...issued, links };
  };

  core.handle('access.tokens', () => core.access.list());
  core.handle('access.create', async ({ name, role }) => {
    const issued = core.access.create(name, role, core.now());
    changed();
    return issue(issued);
  });
  core.handle('access.revoke', ({ id }) => {
    core.access.revoke(id, core.now());
    changed();
    return { id };
  });
  core.handle('access.rotate', async ({ id }) => {
    const issued = core.access.rotate(id, core.now());
    changed();
    return issue(issued);
  });

  // Stream Deck / Companion: a plain GET with the device's trigger token in the URL (a button can only open a URL).
  // The one deliberate exception to "state-changing requests carry the Authorization header": the token can do
  // nothing but these named actions on the live session, and is revoked in Settings if a URL leaks.
  server.route(
    'GET',
    '/api/v1/trigger/:action',
    (c) => {
      const action = c.params.action as TriggerAction;
      if (!(TRIGGER_ACTIONS as readonly string[]).includes(action)) {
        throw new CoreError('not_found', `未知动作 / unknown action "${String(c.params.action).slice(0, 40)}": ${TRIGGER_ACTIONS.join(', ')}`);
      }
      return trigger(server, action, c.url.searchParams.get('n'));
    },
    { access: 'trigger' },
  );
}

/** "the live session": the one started and not ended; none or several is a clear 409 */
function liveSession(server: CoreServer): SessionState {
  const live = server.core.sessions.activeStates().filter((s) => s.status === 'live');
  if (live.length === 0) throw new CoreError('conflict', '没有进行中的直播 / no live session: start one first');
  if (live.length > 1) throw new CoreError('conflict', `有 ${live.length} 场直播同时进行 / ${live.length} sessions are live: end all but one`);
  return live[0]!;
}

async function trigger(server: CoreServer, action: TriggerAction, n: string | null): Promise<{ action: TriggerAction; session: SessionState }> {
  const core = server.core;
  const s = liveSession(server);
  let session: SessionState;
  switch (action) {
    case 'next':
      session = (await core.invoke('session.next', { sessionId: s.id })) as SessionState;
      break;
    case 'unpin':
      session = (await core.invoke('session.unpin', { sessionId: s.id })) as SessionState;
      break;
    case 'pin': {
      // n: the lineup position as the producer sees it (1 = first)
      if (!n || !/^\d{1,4}$/.test(n) || Number(n) < 1) throw new CoreError('bad_request', 'n 须为排品序号（1 起）/ n must be a lineup position (1, 2 …)');
      const item = s.lineup[Number(n) - 1];
      if (!item) throw new CoreError('not_found', `排品只有 ${s.lineup.length} 项 / the lineup has ${s.lineup.length} item(s), no #${n}`);
      session = (await core.invoke('session.pin', { sessionId: s.id, lineupItemId: item.id })) as SessionState;
      break;
    }
    case 'undo': {
      // back to what was on stream before the last pin: the segment before the open one (or the last, if unpinned)
      const segments = core.sessions.segments(s.id);
      const open = segments.at(-1)?.endedAt === null;
      const before = open ? segments.at(-2) : segments.at(-1);
      if (!before) {
        session = (await core.invoke('session.unpin', { sessionId: s.id })) as SessionState;
        break;
      }
      const target = before.lineupItemId !== null && s.lineup.some((i) => i.id === before.lineupItemId) ? { lineupItemId: before.lineupItemId } : { productId: before.productId };
      session = (await core.invoke('session.pin', { sessionId: s.id, ...target })) as SessionState;
      break;
    }
  }
  return { action, session };
}

/** Ready-made links for a new token, by role (the owner's never goes into a link). */
export function linksFor(role: Role, base: string, secret: string): { label: string; url: string }[] {
  const t = encodeURIComponent(secret);
  switch (role) {
    case 'display':
      return [
        { label: '主播大屏 / host display', url: `${base}?token=${t}#/host` },
        { label: '数据大屏 / dashboard', url: `${base}?token=${t}#/dashboard` },
        { label: 'OBS 浮层 / overlay', url: `${base}overlay?token=${t}` },
      ];
    case 'trigger':
      return [
        { label: '下一个 / next', url: `${base}api/v1/trigger/next?token=${t}` },
        { label: '撤下 / unpin', url: `${base}api/v1/trigger/unpin?token=${t}` },
        { label: '撤销 / undo', url: `${base}api/v1/trigger/undo?token=${t}` },
        { label: '上第 1 个 / pin #1', url: `${base}api/v1/trigger/pin?n=1&token=${t}` },
      ];
    case 'producer':
      return [{ label: '中控台 / producer desk', url: `${base}?token=${t}#/producer` }];
    case 'owner':
      return [];
  }
}
