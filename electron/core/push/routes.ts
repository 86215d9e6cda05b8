// The push HTTP routes (docs/push.md, docs/api.md).
import type { Core } from '../core.ts';
import { bodyObject, idParam, queryNumber } from '../server/params.ts';
import type { RouteContext } from '../server/router.ts';
import type { CoreServer } from '../server/server.ts';

export function pushRoutes(server: CoreServer, core: Core): void {
  const r = server.route.bind(server);
  const id = (c: RouteContext) => idParam(c);
  const obj = bodyObject;
  r('GET', '/api/v1/push/channels', () => core.invoke('push.channels.list', {}));
  r('POST', '/api/v1/push/channels', (c) => core.invoke('push.channel.create', c.body));
  r('PATCH', '/api/v1/push/channels/:id', (c) => core.invoke('push.channel.update', { ...obj(c.body), id: id(c) }));
  r('DELETE', '/api/v1/push/channels/:id', (c) => core.invoke('push.channel.delete', { id: id(c) }));
  r('POST', '/api/v1/sessions/:id/push', (c) => core.invoke('push.send', { ...obj(c.body), sessionId: id(c) }));
  r('GET', '/api/v1/sessions/:id/pushes', (c) => core.invoke('push.history', { sessionId: id(c) }));
  r('GET', '/api/v1/push/deliveries', (c) => {
    return core.invoke('push.deliveries', { pushId: queryNumber(c, 'pushId'), sessionId: queryNumber(c, 'sessionId') });
  });
  r('POST', '/api/v1/push/deliveries/:id/resend', (c) => core.invoke('push.resend', { deliveryId: id(c) }));
  r('GET', '/api/v1/wecom/groups', (c) => core.invoke('push.wecom.groups', { refresh: c.url.searchParams.get('refresh') === '1' }));
  r('PATCH', '/api/v1/wecom/groups/:chatId', (c) => core.invoke('push.wecom.group.tag', { ...obj(c.body), chatId: c.params.chatId ?? '' }));
  r('GET', '/api/v1/wecom/status', () => core.invoke('push.wecom.status', {}));
  r('POST', '/api/v1/wecom/configure', (c) => core.invoke('push.wecom.configure', c.body));
  r('GET', '/api/v1/sessions/:id/poster', async (c) => {
    const layout = c.url.searchParams.get('layout') ?? undefined;
    return core.invoke('push.poster', { sessionId: id(c), layout });
  });
}
