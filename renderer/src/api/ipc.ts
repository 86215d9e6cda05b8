import type { CommandName } from '../../../shared/protocol/index.ts';
import { type Api, ApiError, type Bridge } from './api.ts';

export function ipcApi(bridge: Bridge): Api {
  return {
    carrier: 'ipc',
    async invoke(name: CommandName, input: unknown) {
      const reply = await bridge.invoke(name, input);
      if (!reply.ok) throw new ApiError(reply.error);
      return reply.value as never;
    },
    subscribe(onEvent, onState) {
      onState('online');
      return bridge.subscribe(onEvent);
    },
  };
}
