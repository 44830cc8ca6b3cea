// The page's only way to the server: the Apify API v2 it serves (plus its /v2/local extensions).
// The token travels in the Authorization header, never in a URL the page shows or requests.

const TOKEN_KEY = 'actor-storage.token';

/** The three kinds of storage, with their API paths and labels. */
export const KINDS = {
  datasets: { path: 'datasets', label: 'Datasets', one: 'Dataset', unit: 'items' },
  'key-value-stores': {
    path: 'key-value-stores',
    label: 'Key-value stores',
    one: 'Key-value store',
    unit: 'records',
  },
  'request-queues': {
    path: 'request-queues',
    label: 'Request queues',
    one: 'Request queue',
    unit: 'requests',
  },
};

/**
 * Moves a `?token=` of the page's URL into sessionStorage and removes it from the address bar,
 * so it is neither bookmarked nor shown.
 */
export function captureToken() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  if (token !== '') sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
}

/** The token of this tab's session, `''` without one. */
export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Keeps a token for this tab (an empty one forgets it). */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API: `status`, the API's `type`, and its message. */
export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
  }
}

/**
 * A path under /v2 with its query. Booleans become `1`; `undefined`, `null`, `''` and `false`
 * are left out. Path segments must already be encoded (see {@link seg}).
 */
export function apiUrl(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    params.set(name, value === true ? '1' : String(value));
  }
  const search = params.toString();
  return `/v2/${path}${search ? `?${search}` : ''}`;
}

/** Encodes one path segment (an id, a key). */
export const seg = (value) => encodeURIComponent(value);

/** Sends a request; resolves with the Response when it succeeded, else rejects with an ApiError. */
export async function request(method, path, { query, body } = {}) {
  const headers = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(apiUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(
      0,
      'network-error',
      `The server did not answer (${err.message}). Is it still running?`,
    );
  }
  if (!res.ok) throw await toApiError(res);
  return res;
}

async function toApiError(res) {
  let type = 'http-error';
  let message = `The server answered ${res.status} ${res.statusText}.`;
  try {
    const body = await res.json();
    type = body?.error?.type ?? type;
    message = body?.error?.message ?? message;
  } catch {
    // not the API's JSON error envelope: keep the generic message
  }
  return new ApiError(res.status, type, message);
}

/** GET a `{data}` endpoint and return its data. */
export async function getData(path, query) {
  const res = await request('GET', path, { query });
  return (await res.json()).data;
}

/**
 * GET a page of dataset items as JSON, with the pagination headers.
 * @returns {Promise<{items: object[], total: number, offset: number, count: number}>}
 */
export async function getItems(datasetId, query) {
  const res = await request('GET', `datasets/${seg(datasetId)}/items`, {
    query: { format: 'json', ...query },
  });
  const items = await res.json();
  const header = (name) => Number(res.headers.get(`x-apify-pagination-${name}`));
  return { items, total: header('total'), offset: header('offset'), count: header('count') };
}

/** Runs `task`s at most `max` at a time (lazy per-row queries of a list). */
export function limiter(max) {
  let running = 0;
  const waiting = [];
  const next = () => {
    if (running >= max || waiting.length === 0) return;
    running += 1;
    const { task, resolve, reject } = waiting.shift();
    task()
      .then(resolve, reject)
      .finally(() => {
        running -= 1;
        next();
      });
  };
  return (task) =>
    new Promise((resolve, reject) => {
      waiting.push({ task, resolve, reject });
      next();
    });
}
