// The endpoints of one storage, as the platform's API tab lists them: read URLs work without the
// token (reads by id), write URLs carry it.

import { getToken, KINDS } from '../api.js';
import { appendChildren, h } from '../dom.js';
import { copyButton, notice } from '../ui.js';

/** The endpoints of each kind: method, label, path under the store, query, and whether it writes. */
const ENDPOINTS = {
  datasets: [
    ['GET', 'Get dataset', ''],
    ['GET', 'Get items (JSON)', '/items', { format: 'json', clean: '1' }],
    ['GET', 'Get items (JSONL)', '/items', { format: 'jsonl', clean: '1' }],
    ['GET', 'Get items (CSV)', '/items', { format: 'csv', clean: '1' }],
    ['GET', 'Get items (Excel)', '/items', { format: 'xlsx', clean: '1' }],
    ['GET', 'Get items (XML)', '/items', { format: 'xml', clean: '1' }],
    ['GET', 'Get items (RSS)', '/items', { format: 'rss', clean: '1' }],
    ['GET', 'Get items (HTML table)', '/items', { format: 'html', clean: '1' }],
    ['POST', 'Add items', '/items', {}, true],
    ['PUT', 'Update dataset (rename)', '', {}, true],
    ['DELETE', 'Delete dataset', '', {}, true],
  ],
  'key-value-stores': [
    ['GET', 'Get store', ''],
    ['GET', 'List keys', '/keys'],
    ['GET', 'Get record', '/records/{key}'],
    ['GET', 'Download all records (ZIP)', '/records'],
    ['PUT', 'Store record', '/records/{key}', {}, true],
    ['DELETE', 'Delete record', '/records/{key}', {}, true],
    ['PUT', 'Update store (rename)', '', {}, true],
    ['DELETE', 'Delete store', '', {}, true],
  ],
  'request-queues': [
    ['GET', 'Get queue', ''],
    ['GET', 'List requests', '/requests'],
    ['GET', 'Get head', '/head', { limit: '100' }],
    ['GET', 'Get request', '/requests/{requestId}'],
    ['POST', 'Add request', '/requests', {}, true],
    ['POST', 'Add requests (batch of up to 25)', '/requests/batch', {}, true],
    ['POST', 'Lock head', '/head/lock', { lockSecs: '60' }, true],
    ['PUT', 'Update queue (rename)', '', {}, true],
    ['DELETE', 'Delete queue', '', {}, true],
  ],
};

function endpointUrl(base, suffix, query, token) {
  const params = new URLSearchParams(query);
  if (token !== null) params.set('token', token);
  // `{key}` and `{requestId}` are placeholders to fill in: kept readable, not percent-encoded.
  const search = params.toString().replace('%3Ctoken%3E', '<token>');
  return `${base}${suffix}${search ? `?${search}` : ''}`;
}

function endpointRow(base, [method, label, suffix, query = {}, writes = false], token) {
  const url = endpointUrl(base, suffix, query, writes ? token || '<token>' : null);
  const code = h('code', { class: 'mono endpoint-url' }, url);
  return h(
    'tr',
    { 'data-writes': writes ? 'true' : 'false' },
    h('td', null, h('span', { class: `method method-${method.toLowerCase()}` }, method)),
    h('td', null, label),
    h('td', { class: 'endpoint' }, code),
    h('td', null, copyButton(url, code)),
  );
}

/** Renders the API tab into `body`. */
export function renderApiTab(body, { kindKey, store }) {
  const base = `${window.location.origin}/v2/${KINDS[kindKey].path}/${store.id}`;
  const token = getToken();
  const rows = ENDPOINTS[kindKey].map((endpoint) => endpointRow(base, endpoint, token));
  const clientName = {
    datasets: 'dataset',
    'key-value-stores': 'keyValueStore',
    'request-queues': 'requestQueue',
  }[kindKey];
  const snippet = [
    "import { ApifyClient } from 'apify-client';",
    `const client = new ApifyClient({ baseUrl: '${window.location.origin}', token: process.env.APIFY_TOKEN });`,
    `const store = client.${clientName}('${store.id}');`,
  ].join('\n');
  const snippetBlock = h('pre', { class: 'code' }, snippet);
  appendChildren(body, [
    h(
      'p',
      { class: 'muted' },
      'The Apify API v2, served locally. Reads by ID need no token; everything that writes carries it (keep it to yourself).',
    ),
    token
      ? null
      : notice(
          'info',
          'Open the page with its token to see the write URLs complete; "<token>" stands for it here.',
        ),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table endpoints' }, h('tbody', null, rows))),
    h('h3', null, 'With apify-client'),
    h('div', { class: 'snippet' }, snippetBlock, copyButton(snippet, snippetBlock)),
  ]);
}
