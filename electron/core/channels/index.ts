// The Channels module's options as the host's environment gives them: serve options and environment choose the console,
// browser and window. The registry (electron/core/modules.ts) builds the module with these and its sink.
import type { ModuleEnv } from '../module.ts';
import type { ChannelsOptions } from './module.ts';

export { ChannelsModule, METRICS_SOURCE, type ChannelsSink } from './module.ts';

export function channelsOptionsFromEnv({ env, options }: Pick<ModuleEnv, 'env' | 'options'>): ChannelsOptions {
  const headless = env.LIVECUE_CHANNELS_HEADLESS === '1';
  return {
    baseUrl: options['channels-url'] ?? env.LIVECUE_CHANNELS_URL ?? undefined,
    executablePath: options['channels-browser'] ?? env.LIVECUE_CHANNELS_BROWSER ?? undefined,
    headless,
    // a visible window is the user's own browser: no flags; headless runs (CI, servers) need the sandbox off as root
    args: headless ? ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] : [],
  };
}
