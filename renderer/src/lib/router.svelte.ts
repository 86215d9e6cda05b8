// Hash routes (#/producer, #/host?session=3, #/settings): the same built page serves every screen and every carrier.
// App.svelte creates the route (createRoute) and provides it; views read it with getRoute().
import { contextEntry } from './context.ts';

/** what views read: a test may provide a plain object */
export interface RouteView {
  readonly path: string;
  readonly params: URLSearchParams;
}

export class Route implements RouteView {
  path = $state('/producer');
  params = $state.raw<URLSearchParams>(new URLSearchParams());
  readonly stop: () => void;
  constructor() {
    const read = () => {
      const hash = location.hash.replace(/^#/, '') || '/producer';
      const [path, query] = hash.split('?');
      this.path = path || '/producer';
      this.params = new URLSearchParams(query ?? '');
    };
    read();
    addEventListener('hashchange', read);
    this.stop = () => removeEventListener('hashchange', read);
  }
}

/** the address bar's route, kept current on hashchange */
export const createRoute = (): Route => new Route();

export const routeContext = contextEntry<RouteView>('route');
export const setRouteContext = routeContext.set;
/** the route App.svelte provides (call during component initialisation) */
export const getRoute = routeContext.get;

/** #/review?session=3: sets the hash, which the hashchange listener reads back */
export function navigate(path: string, params: Record<string, string | number> = {}): void {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  location.hash = `#${path}${query ? `?${query}` : ''}`;
}
