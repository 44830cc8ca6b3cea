// A key-value store's records: keys with size and content type (a page at a time, by
// exclusiveStartKey), and a preview of the chosen record.

import { apiUrl, getData, request, seg } from '../api.js';
import { formatBytes, h } from '../dom.js';
import { navigate, paramsObject, routeHref } from '../router.js';
import { cursorPager, notice } from '../ui.js';

const PAGE = 100;
/** Largest text or JSON record previewed inline (bigger ones: download). */
const MAX_TEXT_PREVIEW = 2 * 1024 * 1024;
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|avif|bmp|svg\+xml|x-icon|vnd\.microsoft\.icon)$/;

/** Start keys of the pages seen before, per store and prefix, for "Prev" (cursor pages have no offset). */
const visited = new Map();

const mediaType = (contentType) => (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
const isJson = (type) => type === 'application/json' || type.endsWith('+json');
const isText = (type) =>
  type.startsWith('text/') ||
  ['application/xml', 'application/javascript', 'application/x-ndjson', 'application/jsonl'].includes(type) ||
  type.endsWith('+xml');

function recordUrl(store, key, attachment) {
  return apiUrl(`key-value-stores/${seg(store.id)}/records/${seg(key)}`, { attachment });
}

function downloadLink(store, key) {
  return h(
    'a',
    {
      class: 'btn btn-small',
      href: recordUrl(store, key, true),
      download: key,
      'data-action': 'download-record',
    },
    'Download',
  );
}

async function previewBody(store, item) {
  const type = mediaType(item.contentType);
  if (IMAGE_TYPES.test(type)) {
    return h('img', { class: 'record-image', src: recordUrl(store, item.key, false), alt: item.key });
  }
  if (!isJson(type) && !isText(type)) {
    return notice('info', `No preview for ${type || 'this content type'}: download the record to open it.`);
  }
  if (item.size > MAX_TEXT_PREVIEW) {
    return notice(
      'info',
      `This record is ${formatBytes(item.size)}: too large to preview, download it instead.`,
    );
  }
  const text = await (
    await request('GET', `key-value-stores/${seg(store.id)}/records/${seg(item.key)}`)
  ).text();
  if (isJson(type)) {
    try {
      return h(
        'pre',
        { class: 'code json', 'data-preview': 'json' },
        JSON.stringify(JSON.parse(text), null, 2),
      );
    } catch {
      // stored as JSON but does not parse: show the text as it is
    }
  }
  return h('pre', { class: 'code', 'data-preview': 'text' }, text);
}

async function preview(store, item) {
  const panel = h(
    'aside',
    { class: 'preview', 'data-key': item.key },
    h(
      'header',
      { class: 'preview-header' },
      h('h2', { class: 'mono' }, item.key),
      h('span', { class: 'muted' }, `${item.contentType ?? 'unknown type'} · ${formatBytes(item.size)}`),
      downloadLink(store, item.key),
    ),
  );
  panel.append(await previewBody(store, item));
  return panel;
}

function keysTable(store, items, params, selected) {
  return h(
    'table',
    { class: 'table keys' },
    h(
      'thead',
      null,
      h('tr', null, h('th', null, 'Key'), h('th', null, 'Content type'), h('th', { class: 'num' }, 'Size')),
    ),
    h(
      'tbody',
      null,
      items.map((item) =>
        h(
          'tr',
          { class: item.key === selected ? 'selected' : '', 'data-key': item.key },
          h(
            'td',
            null,
            h(
              'a',
              {
                class: 'mono',
                href: routeHref(['key-value-stores', store.id], { ...paramsObject(params), key: item.key }),
              },
              item.key,
            ),
          ),
          h('td', { class: 'muted' }, item.contentType ?? '–'),
          h('td', { class: 'num' }, formatBytes(item.size)),
        ),
      ),
    ),
  );
}

function prefixForm(store, prefix) {
  const input = h('input', {
    type: 'search',
    name: 'prefix',
    value: prefix,
    placeholder: 'Key prefix',
    'aria-label': 'Key prefix',
  });
  return h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (event) => {
        event.preventDefault();
        navigate(['key-value-stores', store.id], { prefix: input.value.trim() });
      },
    },
    input,
    h('button', { type: 'submit', class: 'btn' }, 'Filter'),
  );
}

function pager(store, params, page, start) {
  const prefix = params.get('prefix') ?? '';
  const trail = visited.get(`${store.id}\n${prefix}`) ?? [];
  const at = start === '' ? -1 : trail.indexOf(start);
  if (start !== '' && at === -1) trail.push(start);
  visited.set(`${store.id}\n${prefix}`, trail);
  const href = (startKey) => routeHref(['key-value-stores', store.id], { prefix, start: startKey });
  const index = trail.indexOf(start);
  const prevStart = start === '' ? null : index > 0 ? trail[index - 1] : '';
  return cursorPager({
    label: `${page.items.length} key${page.items.length === 1 ? '' : 's'} on this page`,
    firstHref: start === '' ? null : href(''),
    prevHref: prevStart === null ? null : href(prevStart),
    nextHref: page.nextExclusiveStartKey ? href(page.nextExclusiveStartKey) : null,
  });
}

/**
 * The key item of `key`: from the page shown, else (a link to a key on another page) asked for
 * alone. A key is the first of the keys it prefixes, so `prefix=key&limit=1` returns it if it exists.
 */
async function findKey(store, page, key) {
  const onPage = page.items.find((i) => i.key === key);
  if (onPage) return onPage;
  const found = await getData(`local/key-value-stores/${seg(store.id)}/keys`, { prefix: key, limit: 1 });
  return found.items.find((i) => i.key === key);
}

/** Renders the records tab of a key-value store into `body`. */
export async function renderRecords(body, { store, params }) {
  const prefix = params.get('prefix') ?? '';
  const start = params.get('start') ?? '';
  const selected = params.get('key');
  const page = await getData(`local/key-value-stores/${seg(store.id)}/keys`, {
    limit: PAGE,
    prefix,
    exclusiveStartKey: start,
  });
  const zip = h(
    'a',
    {
      class: 'btn toolbar-end',
      href: apiUrl(`key-value-stores/${seg(store.id)}/records`, { prefix }),
      download: `${store.name ?? store.id}.zip`,
    },
    prefix ? 'Download these as ZIP' : 'Download all as ZIP',
  );
  body.append(h('div', { class: 'toolbar' }, prefixForm(store, prefix), zip));
  if (page.items.length === 0) {
    body.append(
      notice('info', prefix ? `No keys start with "${prefix}".` : 'This store has no records yet.'),
    );
    return;
  }
  const item = selected ? await findKey(store, page, selected) : undefined;
  const side = item
    ? await preview(store, item)
    : h(
        'aside',
        { class: 'preview preview-empty' },
        h(
          'p',
          { class: 'muted' },
          selected ? `There is no record "${selected}".` : 'Choose a key to preview its record.',
        ),
      );
  body.append(
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        { class: 'split-main' },
        keysTable(store, page.items, params, selected),
        pager(store, params, page, start),
      ),
      side,
    ),
  );
}
