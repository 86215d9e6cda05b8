declare module 'virtual:livecue-protocol-names' {
  export const COMMAND_NAMES: readonly string[];
  export const IPC: { invoke: string; subscribe: string; event: string };
}
