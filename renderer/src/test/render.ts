// Mounts one screen the way App.svelte provides it (lib/context.ts): a desk over a fake Api and a route, in context.
import { type Component, flushSync, mount, unmount } from 'svelte';
import { createDesk, deskContext, type Desk } from '../lib/desk.svelte.ts';
import { routeContext, type RouteView } from '../lib/router.svelte.ts';
import type { FakeApi } from './fake-api.ts';

export interface Rendered {
  desk: Desk;
  target: HTMLElement;
  /** unmounts the component and destroys the desk (its connection and timers) */
  destroy(): void;
}

export function render<P extends Record<string, unknown>>(
  component: Component<P>,
  api: FakeApi,
  options: { props?: P; route?: string } = {},
): Rendered {
  const desk = createDesk(api);
  const [path = '/producer', query = ''] = (options.route ?? '/producer').split('?');
  const route: RouteView = { path, params: new URLSearchParams(query) };
  const target = document.body.appendChild(document.createElement('div'));
  const instance = mount(component, {
    target,
    props: options.props ?? ({} as P),
    context: new Map<symbol, unknown>([
      [deskContext.key, desk],
      [routeContext.key, route],
    ]),
  });
  flushSync();
  return {
    desk,
    target,
    destroy() {
      void unmount(instance);
      desk.destroy();
      target.remove();
    },
  };
}

/** lets pending answers of the fake settle (a few microtask turns), then applies Svelte's updates */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  flushSync();
}

/** the text of the one element with this data-testid (fails when there is none) */
export function byTestId(root: ParentNode, id: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no [data-testid="${id}"]`);
  return el;
}
