// A request queue: pending / handled / locked counts and its requests, a page at a time (by
// cursor), each with its state.

import { getData, seg } from '../api.js';
import { externalLink, formatDate, formatNumber, h, isWebUrl, truncate } from '../dom.js';
import { routeHref } from '../router.js';
import { cursorPager, jsonBlock, notice, openDialog } from '../ui.js';

const PAGE = 50;
/** Most locked requests counted (the API's largest page); a queue has few at a time. */
const MAX_LOCKED = 10_000;
const FILTERS = [
  { id: '', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'locked', label: 'Locked' },
];

/** Cursors of the pages seen before, per queue and filter, for "Prev". */
const visited = new Map();

function stateOf(request, locked) {
  if (request.handledAt) return 'handled';
  return locked.has(request.id) ? 'locked' : 'pending';
}

function card(label, value, name) {
  return h(
    'div',
    { class: 'card', 'data-count': name },
    h('div', { class: 'card-value' }, value),
    h('div', { class: 'card-label' }, label),
  );
}

function counts(store, lockedPage) {
  const locked = lockedPage.nextCursor
    ? `${formatNumber(MAX_LOCKED)}+`
    : formatNumber(lockedPage.items.length);
  return h(
    'div',
    { class: 'cards' },
    card('Total', formatNumber(store.totalRequestCount), 'total'),
    card('Pending', formatNumber(store.pendingRequestCount), 'pending'),
    card('Handled', formatNumber(store.handledRequestCount), 'handled'),
    card('Locked', locked, 'locked'),
  );
}

function filterBar(store, filter) {
  return h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Show' },
    FILTERS.map((f) =>
      h(
        'a',
        {
          class: f.id === filter ? 'segment active' : 'segment',
          href: routeHref(['request-queues', store.id], { filter: f.id }),
          'data-filter': f.id || 'all',
        },
        f.label,
      ),
    ),
  );
}

async function openRequest(store, id) {
  const request = await getData(`request-queues/${seg(store.id)}/requests/${seg(id)}`);
  await openDialog({ title: `Request ${id}`, body: jsonBlock(request), wide: true });
}

function requestRow(store, request, locked) {
  const state = stateOf(request, locked);
  const url = request.url ?? '';
  return h(
    'tr',
    {
      class: 'clickable',
      'data-id': request.id,
      title: 'Open the whole request',
      onclick: (event) => {
        if (event.target.closest('a')) return; // the URL link opens the page itself
        openRequest(store, request.id).catch((err) =>
          openDialog({ title: 'Could not open the request', body: notice('error', err.message) }),
        );
      },
    },
    h('td', null, h('span', { class: `badge badge-${state}` }, state)),
    h('td', { class: 'mono' }, request.method ?? 'GET'),
    h(
      'td',
      { class: 'url', title: url },
      isWebUrl(url) ? externalLink(url, truncate(url, 120)) : truncate(url, 120),
    ),
    h('td', { class: 'num' }, String(request.retryCount ?? 0)),
    h(
      'td',
      { class: 'num' },
      request.handledAt ? formatDate(request.handledAt) : h('span', { class: 'muted' }, '–'),
    ),
    h('td', { class: 'mono muted' }, request.id),
  );
}

function pager(store, filter, cursor, page) {
  const key = `${store.id}\n${filter}`;
  const trail = visited.get(key) ?? [];
  if (cursor !== '' && !trail.includes(cursor)) trail.push(cursor);
  visited.set(key, trail);
  const index = trail.indexOf(cursor);
  const href = (c) => routeHref(['request-queues', store.id], { filter, cursor: c });
  const prev = cursor === '' ? null : index > 0 ? trail[index - 1] : '';
  return cursorPager({
    label: `${page.items.length} request${page.items.length === 1 ? '' : 's'} on this page`,
    firstHref: cursor === '' ? null : href(''),
    prevHref: prev === null ? null : href(prev),
    nextHref: page.nextCursor ? href(page.nextCursor) : null,
  });
}

/** Renders the requests tab of a request queue into `body`. */
export async function renderRequests(body, { store, params }) {
  const filter = FILTERS.some((f) => f.id === params.get('filter')) ? params.get('filter') : '';
  const cursor = params.get('cursor') ?? '';
  const path = `request-queues/${seg(store.id)}/requests`;
  const [lockedPage, page] = await Promise.all([
    getData(path, { filter: 'locked', limit: MAX_LOCKED }),
    getData(path, { filter, cursor, limit: PAGE }),
  ]);
  const locked = new Set(lockedPage.items.map((r) => r.id));
  body.append(counts(store, lockedPage), h('div', { class: 'toolbar' }, filterBar(store, filter)));
  if (page.items.length === 0) {
    body.append(notice('info', filter ? `No ${filter} requests.` : 'This queue has no requests yet.'));
    return;
  }
  const table = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table requests' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['State', 'Method', 'URL', 'Retries', 'Handled', 'ID'].map((c, i) =>
            h('th', { class: i === 3 || i === 4 ? 'num' : '' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        page.items.map((r) => requestRow(store, r, locked)),
      ),
    ),
  );
  body.append(table, pager(store, filter, cursor, page));
}
