// Least power: what each role may do. Levels are ordered display < producer < owner < owner-local; the trigger role
// reaches only the trigger routes. A command not listed here needs a producer (new commands of other domains are
// producer-level by default, never display-level).
import type { Role } from '../../../shared/protocol/access.ts';

export type Level = 'display' | 'producer' | 'owner' | 'owner-local';

const RANK: Record<Exclude<Role, 'trigger'>, number> = { display: 0, producer: 1, owner: 2 };
const NEED: Record<Level, number> = { display: 0, producer: 1, owner: 2, 'owner-local': 2 };

/** Read-only commands the display views (host display, overlay, dashboard) use; nothing here changes state. */
const DISPLAY_COMMANDS = new Set([
  'snapshot',
  'products.list',
  'sessions.list',
  'session.get',
  'server.info',
  'metrics.snapshot',
  'metrics.series',
  'obs.status',
  'obs.streamHealth',
  'channels.status',
  'channels.comments',
  // the dashboard's automation-per-minute panel (#16) and its push lift per channel kind (#12)
  'automation.stats',
  'push.history',
]);

/** Managing who may do what stays with the owner. */
const OWNER_COMMANDS = new Set(['access.tokens', 'access.create', 'access.revoke', 'access.rotate', 'server.setLanSharing']);

/**
 * Powers that need the owner at the machine: a program to run, or an address that receives a secret. From HTTP they
 * need the owner token AND a loopback peer; the desktop window (IPC) and the command line are at the machine anyway.
 */
export function commandLevel(name: string, input: unknown): Level {
  const fields = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  switch (name) {
    case 'channels.settings':
      // the browser LiveCue launches for the 视频号 console: whoever sets it runs a program of their choice
      return fields.executablePath !== undefined ? 'owner-local' : 'producer';
    case 'metrics.setWechat':
      // AppSecret / token / AES key and the API base they are sent to
      return 'owner-local';
    case 'obs.configure':
      // the OBS address receives the OBS password
      return 'owner-local';
    case 'review.linkRecording':
      // names a file on this machine to be served over HTTP
      return 'owner-local';
    case 'automation.ai':
      // the AI endpoint receives the API key (#16): its address and the key are set by the owner at the machine
      return fields.baseUrl !== undefined || fields.key !== undefined ? 'owner-local' : 'producer';
    case 'push.wecom.configure':
      // the WeCom corpid + 客户联系 secret (#12)
      return fields.corpId !== undefined || fields.secret !== undefined ? 'owner-local' : 'producer';
    case 'push.channel.create':
    case 'push.channel.update':
      // a robot URL carries its key, and the signing secret goes with it
      return 'owner-local';
  }
  if (OWNER_COMMANDS.has(name)) return 'owner';
  if (DISPLAY_COMMANDS.has(name)) return 'display';
  return 'producer';
}

export function allows(role: Role, level: Level, loopback: boolean): boolean {
  if (role === 'trigger') return false;
  if (RANK[role] < NEED[level]) return false;
  return level !== 'owner-local' || loopback;
}
