// The lists of datasets, key-value stores and request queues.

import { getData, KINDS, limiter, seg } from '../api.js';
import { formatBytes, formatDate, formatNumber, h } from '../dom.js';
import { intParam, navigate, paramsObject, routeHref } from '../router.js';
import { hasToken, needsTokenNotice, notice, offsetPager } from '../ui.js';

const PAGE = 50;
/** Folder sizes asked at once (each walks a folder on the server). */
const usageQueue = limiter(3);

/** The count columns of each kind: header and cell. */
const COUNT_COLUMNS = {
  datasets: [{ label: 'Items', cell: (s) => formatNumber(s.itemCount), numeric: true }],
  'key-value-stores': [{ label: 'Records', cell: (_s, usage) => usage.records, numeric: true }],
  'request-queues': [
    { label: 'Requests', cell: (s) => formatNumber(s.totalRequestCount), numeric: true },
    { label: 'Handled', cell: (s) => formatNumber(s.handledRequestCount), numeric: true },
    { label: 'Pending', cell: (s) => formatNumber(s.pendingRequestCount), numeric: true },
  ],
};

/**
 * Cells filled once the store's size is known: datasets report theirs (`stats.storageBytes`);
 * key-value stores and request queues are measured by the server's local usage endpoint.
 */
function usageCells(kindKey, store) {
  const size = h('span', { class: 'muted' }, '…');
  const records = h('span', { class: 'muted' }, '…');
  const known = store.stats?.storageBytes;
  if (kindKey === 'datasets' && typeof known === 'number') {
    size.replaceChildren(formatBytes(known));
    size.className = '';
    return { size, records };
  }
  usageQueue(() => getData(`local/${kindKey}/${seg(store.id)}/usage`))
    .then((usage) => {
      size.replaceChildren(formatBytes(usage.bytes));
      size.className = '';
      records.replaceChildren(formatNumber(usage.recordCount));
      records.className = '';
    })
    .catch(() => {
      size.replaceChildren('?');
      records.replaceChildren('?');
    });
  return { size, records };
}

function storeRow(kindKey, store) {
  const href = routeHref([kindKey, store.id]);
  const usage = usageCells(kindKey, store);
  return h(
    'tr',
    { 'data-id': store.id },
    h(
      'td',
      null,
      h('a', { href, class: 'store-link' }, store.name ?? h('span', { class: 'muted' }, 'unnamed')),
    ),
    h('td', null, h('a', { href, class: 'mono' }, store.id)),
    COUNT_COLUMNS[kindKey].map((col) => h('td', { class: col.numeric ? 'num' : '' }, col.cell(store, usage))),
    h('td', { class: 'num' }, usage.size),
    h('td', { class: 'num' }, formatDate(store.modifiedAt)),
  );
}

function storeTable(kindKey, stores) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table stores' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'Name'),
          h('th', null, 'ID'),
          COUNT_COLUMNS[kindKey].map((col) => h('th', { class: 'num' }, col.label)),
          h('th', { class: 'num' }, 'Size'),
          h('th', { class: 'num' }, 'Modified'),
        ),
      ),
      h(
        'tbody',
        null,
        stores.map((store) => storeRow(kindKey, store)),
      ),
    ),
  );
}

/** A form to open a storage by its id (works without the token). */
function openByIdForm(kindKey) {
  const input = h('input', {
    type: 'text',
    name: 'id',
    placeholder: 'Open by ID',
    'aria-label': 'Storage ID',
    pattern: '[a-zA-Z0-9]{17}',
    title: 'A 17-character storage ID',
    class: 'mono',
  });
  return h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (event) => {
        event.preventDefault();
        if (input.value.trim()) navigate([kindKey, input.value.trim()]);
      },
    },
    input,
    h('button', { type: 'submit', class: 'btn' }, 'Open'),
  );
}

function listHeader(kindKey, params) {
  const unnamed = params.get('unnamed') === '1';
  const checkbox = h('input', {
    type: 'checkbox',
    name: 'unnamed',
    checked: unnamed,
    onchange: (event) => navigate([kindKey], { unnamed: event.target.checked }),
  });
  return h(
    'div',
    { class: 'page-header' },
    h('h1', null, KINDS[kindKey].label),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { class: 'check' }, checkbox, 'Include unnamed'),
      openByIdForm(kindKey),
    ),
  );
}

/** Renders the list of one kind of storage into `view`. */
export async function renderList(kindKey, params, view, rerender) {
  const kind = KINDS[kindKey];
  view.dataset.title = kind.label;
  view.append(listHeader(kindKey, params));
  if (!hasToken()) {
    view.append(needsTokenNotice(`Listing ${kind.label.toLowerCase()}`, rerender));
    return;
  }
  const unnamed = params.get('unnamed') === '1';
  const offset = intParam(params, 'offset', 0);
  const page = await getData(kind.path, { unnamed, offset, limit: PAGE, desc: true });
  if (page.total === 0) {
    const more = unnamed ? '' : ' Tick "Include unnamed" to see storages without a name.';
    view.append(notice('info', `No ${kind.label.toLowerCase()} here yet.${more}`));
    return;
  }
  const hrefFor = (o) => routeHref([kindKey], { ...paramsObject(params), offset: o || undefined });
  const pager = offsetPager({
    offset,
    limit: PAGE,
    total: page.total,
    shown: page.items.length,
    unit: kind.label.toLowerCase(),
    hrefFor,
    go: (o) => navigate([kindKey], { ...paramsObject(params), offset: o || undefined }),
  });
  view.append(storeTable(kindKey, page.items), pager);
}
