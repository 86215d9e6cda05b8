// The Channels module as the host creates it: serve options and environment choose the console, browser and window.
import type { ModuleEnv } from '../module.ts';
import { ChannelsModule } from './module.ts';

export { ChannelsModule, METRICS_SOURCE, type ChannelsSink } from './module.ts';

export function channelsModule({ env, options }: ModuleEnv): ChannelsModule {
  const headless = env.LIVECUE_CHANNELS_HEADLESS === '1';
  return new ChannelsModule({
    baseUrl: options['channels-url'] ?? env.LIVECUE_CHANNELS_URL ?? undefined,
    executablePath: options['channels-browser'] ?? env.LIVECUE_CHANNELS_BROWSER ?? undefined,
    headless,
    // a visible window is the user's own browser: no flags; headless runs (CI, servers) need the sandbox off as root
    args: headless ? ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] : [],
  });
}
