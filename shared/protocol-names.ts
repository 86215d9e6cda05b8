// Command names alone, without schemas: the Electron preload builds its allow-list from this file and nothing else.
export const COMMAND_NAMES = [
  'product.create',
  'product.update',
  'product.delete',
  'catalog.importCsv',
  'session.create',
  'session.update',
  'session.start',
  'session.end',
  'session.pin',
  'session.next',
  'session.unpin',
  'lineup.add',
  'lineup.update',
  'lineup.remove',
  'lineup.reorder',
  'template.saveFromSession',
  'template.delete',
  'products.list',
  'sessions.list',
  'session.get',
  'snapshot',
  'server.info',
  'server.setLanSharing',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** IPC channel names; the only ones main listens on. */
export const IPC = {
  invoke: 'livecue:invoke',
  subscribe: 'livecue:subscribe',
  event: 'livecue:event',
} as const;
