// Hash routes: `#/datasets`, `#/datasets/<id>`, `#/datasets/<id>/settings`, with the view's
// state (page, fields, filters) as a query after `?`, so reload and Back keep it.

/**
 * The current route.
 * @returns {{ segments: string[], params: URLSearchParams }}
 */
export function currentRoute() {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const at = hash.indexOf('?');
  const path = at === -1 ? hash : hash.slice(0, at);
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s; // a hand-typed malformed escape: use it as written
      }
    });
  return { segments, params: new URLSearchParams(at === -1 ? '' : hash.slice(at + 1)) };
}

/**
 * A route's href. `params` values that are `undefined`, `null`, `''` or `false` are left out.
 * @param {string[]} segments
 * @param {Record<string, unknown>} [params]
 */
export function routeHref(segments, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    query.set(name, value === true ? '1' : String(value));
  }
  const search = query.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

/** Goes to a route (a new history entry; the hashchange listener renders it). */
export function navigate(segments, params) {
  const href = routeHref(segments, params);
  if (href === window.location.hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = href;
}

/** The route's params as a plain object, to change a few and navigate. */
export function paramsObject(params) {
  return Object.fromEntries(params.entries());
}

/** A non-negative integer param, else `fallback`. */
export function intParam(params, name, fallback) {
  const value = Number(params.get(name));
  return params.has(name) && Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}
