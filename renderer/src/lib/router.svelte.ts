// Hash routes (#/producer, #/host?session=3, #/settings): the same built page serves every screen and every carrier.
class Route {
  path = $state('/producer');
  params = $state.raw<URLSearchParams>(new URLSearchParams());
  constructor() {
    const read = () => {
      const hash = location.hash.replace(/^#/, '') || '/producer';
      const [path, query] = hash.split('?');
      this.path = path || '/producer';
      this.params = new URLSearchParams(query ?? '');
    };
    read();
    addEventListener('hashchange', read);
  }
}
export const route = new Route();

/** #/review?session=3: sets the hash, which the hashchange listener reads back */
export function navigate(path: string, params: Record<string, string | number> = {}): void {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  location.hash = `#${path}${query ? `?${query}` : ''}`;
}
