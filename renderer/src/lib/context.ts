// State is created by functions and handed down through Svelte context (the shadcn-svelte pattern): App.svelte creates
// the desk with the real Api and sets it; components get it. Nothing here runs on import, so a component test mounts a
// screen with a fake Api (renderer/src/test/) — see CONTRIBUTING.md, "add a screen".
import { getContext, setContext } from 'svelte';

export interface ContextEntry<T> {
  /** the context key: a test passes `new Map([[entry.key, value]])` as mount()'s `context` */
  readonly key: symbol;
  /** in the component that creates the value (during its initialisation) */
  set(value: T): T;
  /** in any component below it (during its initialisation); throws when no ancestor set it */
  get(): T;
}

export function contextEntry<T>(name: string): ContextEntry<T> {
  const key = Symbol(name);
  return {
    key,
    set: (value) => setContext(key, value),
    get: () => {
      const value = getContext<T | undefined>(key);
      if (value === undefined) throw new Error(`no ${name} in context: App.svelte creates it (a test passes it to mount)`);
      return value;
    },
  };
}
