// One storage: its header (name, id, counts, dates) and tabs: content, settings, API.

import { getData, KINDS, seg } from '../api.js';
import { formatBytes, formatDate, formatNumber, h } from '../dom.js';
import { routeHref } from '../router.js';
import { copyButton, fact, tabBar } from '../ui.js';
import { renderApiTab } from './api-tab.js';
import { renderItems } from './dataset.js';
import { renderRecords } from './kvs.js';
import { renderRequests } from './queue.js';
import { renderSettings } from './settings.js';

/** The content tab of each kind. */
const CONTENT = {
  datasets: { id: 'items', label: 'Items', render: renderItems },
  'key-value-stores': { id: 'records', label: 'Records', render: renderRecords },
  'request-queues': { id: 'requests', label: 'Requests', render: renderRequests },
};

/** A value filled in later (sizes and counts the server measures). */
function lazy(promise, format) {
  const span = h('span', { class: 'muted' }, '…');
  promise.then(
    (value) => {
      span.className = '';
      span.replaceChildren(format(value));
    },
    () => span.replaceChildren('?'),
  );
  return span;
}

function facts(kindKey, store) {
  const idCode = h('code', { class: 'mono', 'data-field': 'id' }, store.id);
  const common = [fact('ID', h('span', { class: 'id-fact' }, idCode, copyButton(store.id, idCode)))];
  if (kindKey === 'datasets') {
    common.push(
      fact('Items', formatNumber(store.itemCount)),
      fact('Size', formatBytes(store.stats?.storageBytes)),
    );
  } else if (kindKey === 'key-value-stores') {
    const usage = getData(`local/key-value-stores/${seg(store.id)}/usage`);
    common.push(
      fact(
        'Records',
        lazy(usage, (u) => formatNumber(u.recordCount)),
      ),
      fact(
        'Size',
        lazy(usage, (u) => formatBytes(u.bytes)),
      ),
    );
  } else {
    common.push(
      fact('Requests', formatNumber(store.totalRequestCount)),
      fact('Handled', formatNumber(store.handledRequestCount)),
      fact('Pending', formatNumber(store.pendingRequestCount)),
    );
  }
  common.push(fact('Created', formatDate(store.createdAt)), fact('Modified', formatDate(store.modifiedAt)));
  return h('div', { class: 'facts' }, common);
}

function storeHeader(kindKey, store) {
  const kind = KINDS[kindKey];
  return h(
    'div',
    { class: 'page-header store-header' },
    h('div', { class: 'crumbs' }, h('a', { href: routeHref([kindKey]) }, kind.label), ' / '),
    h(
      'h1',
      { 'data-field': 'name' },
      store.name ?? h('span', { class: 'muted' }, `Unnamed ${kind.one.toLowerCase()}`),
    ),
    facts(kindKey, store),
  );
}

/** Renders a storage's page with the tab `tab` (the content tab when undefined). */
export async function renderStore(kindKey, id, tab, params, view, rerender) {
  const kind = KINDS[kindKey];
  const content = CONTENT[kindKey];
  const active = tab ?? content.id;
  const store = await getData(`${kind.path}/${seg(id)}`);
  view.dataset.title = store.name ?? store.id;
  const tabs = [
    { id: content.id, label: content.label, href: routeHref([kindKey, store.id]) },
    { id: 'settings', label: 'Settings', href: routeHref([kindKey, store.id, 'settings']) },
    { id: 'api', label: 'API', href: routeHref([kindKey, store.id, 'api']) },
  ];
  const body = h('section', { class: 'tab-body', 'data-tab-body': active });
  view.append(storeHeader(kindKey, store), tabBar(tabs, active), body);
  const ctx = { kindKey, store, params, rerender };
  if (active === content.id) await content.render(body, ctx);
  else if (active === 'settings') renderSettings(body, ctx);
  else if (active === 'api') renderApiTab(body, ctx);
  else throw Object.assign(new Error(`There is no tab "${active}".`), { status: 404 });
}
