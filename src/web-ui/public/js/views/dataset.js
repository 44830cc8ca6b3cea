// A dataset's items: one page at a time from the server (offset/limit), a field picker, the
// `clean` and `desc` switches, and downloads of every export format with the same options.

import { apiUrl, getItems, seg } from '../api.js';
import { externalLink, h, isWebUrl, truncate } from '../dom.js';
import { intParam, navigate, paramsObject, routeHref } from '../router.js';
import { jsonBlock, notice, offsetPager, openDialog } from '../ui.js';

const PAGE_SIZES = [20, 50, 100, 500];
const DEFAULT_PAGE = 50;
const FORMATS = ['json', 'jsonl', 'csv', 'xlsx', 'xml', 'rss', 'html'];
/** Columns shown at most (wider items: pick fields, or open a row). */
const MAX_COLUMNS = 60;
const MAX_CELL = 160;

/** The view's state from the route. */
function readState(params) {
  const limit = intParam(params, 'limit', DEFAULT_PAGE);
  return {
    offset: intParam(params, 'offset', 0),
    limit: PAGE_SIZES.includes(limit) ? limit : DEFAULT_PAGE,
    fields: (params.get('fields') ?? '').split(',').filter((f) => f !== ''),
    clean: params.get('clean') === '1',
    desc: params.get('desc') === '1',
  };
}

/** The item options shared by the page query and the download links. */
function itemQuery(state) {
  return { fields: state.fields.join(','), clean: state.clean, desc: state.desc };
}

/** Field names: the dataset's known fields first, then any others the page shows. */
function fieldNames(store, items, selected) {
  const names = new Set(Array.isArray(store.fields) ? store.fields : []);
  for (const item of items) for (const key of Object.keys(item ?? {})) names.add(key);
  for (const name of selected) names.add(name);
  return [...names];
}

/** The table's columns: the picked fields, else the fields the page's items have, in `names` order. */
function visibleColumns(names, items, picked) {
  if (picked.length > 0) return picked;
  const present = new Set(items.flatMap((item) => Object.keys(item ?? {})));
  return names.filter((name) => present.has(name));
}

function cell(value) {
  if (value === undefined) return h('td', { class: 'muted' });
  if (value === null) return h('td', { class: 'muted' }, 'null');
  if (typeof value === 'string') {
    if (isWebUrl(value)) return h('td', { title: value }, externalLink(value, truncate(value, MAX_CELL)));
    return h(
      'td',
      value.length > MAX_CELL ? { title: truncate(value, 2000) } : null,
      truncate(value, MAX_CELL),
    );
  }
  if (typeof value === 'number' || typeof value === 'boolean')
    return h('td', { class: 'num' }, String(value));
  const json = JSON.stringify(value);
  return h('td', { class: 'json', title: truncate(json, 2000) }, truncate(json, MAX_CELL));
}

/** Columns whose values on this page are all numbers: right-aligned, header too. */
function numericColumns(items, columns) {
  return new Set(
    columns.filter((c) => {
      const values = items.map((item) => item?.[c]).filter((v) => v !== undefined && v !== null);
      return values.length > 0 && values.every((v) => typeof v === 'number');
    }),
  );
}

/**
 * The number of each row: the item's stored position (counting from 1, from the end with `desc`)
 * when the page holds every stored item of its range, else (empty items skipped) its place in the list.
 */
function rowNumbers(page, state) {
  const exact = page.items.length === page.count;
  return page.items.map((_item, i) =>
    exact && state.desc ? page.total - state.offset - i : state.offset + i + 1,
  );
}

function itemsTable(items, columns, numbers, onOpen) {
  const shown = columns.slice(0, MAX_COLUMNS);
  const numeric = numericColumns(items, shown);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table items' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { class: 'num' }, '#'),
          shown.map((c) => h('th', { title: c, class: numeric.has(c) ? 'num' : null }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        items.map((item, i) =>
          h(
            'tr',
            {
              class: 'clickable',
              title: 'Open the whole item',
              tabindex: 0,
              onclick: () => onOpen(item, numbers[i]),
              onkeydown: (event) => {
                if (event.key === 'Enter') onOpen(item, numbers[i]);
              },
            },
            h('td', { class: 'num muted' }, String(numbers[i])),
            shown.map((c) => cell(item?.[c])),
          ),
        ),
      ),
    ),
    columns.length > MAX_COLUMNS
      ? h(
          'p',
          { class: 'muted small' },
          `Showing ${MAX_COLUMNS} of ${columns.length} fields; pick fields to see others.`,
        )
      : null,
  );
}

function fieldPicker(names, state, apply) {
  const boxes = names.map((name) =>
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        value: name,
        checked: state.fields.length === 0 || state.fields.includes(name),
      }),
      h('span', { class: 'mono' }, name),
    ),
  );
  const setAll = (checked) => {
    for (const label of boxes) label.querySelector('input').checked = checked;
  };
  const summary =
    state.fields.length === 0 ? 'All fields' : `${state.fields.length} of ${names.length} fields`;
  const details = h(
    'details',
    { class: 'dropdown field-picker' },
    h('summary', { class: 'btn' }, summary, ' ▾'),
    h(
      'div',
      { class: 'dropdown-panel' },
      h(
        'div',
        { class: 'dropdown-actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => setAll(true) }, 'All'),
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => setAll(false) }, 'None'),
      ),
      h(
        'div',
        { class: 'field-list' },
        names.length ? boxes : h('span', { class: 'muted' }, 'No fields yet'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-primary',
          'data-action': 'apply-fields',
          onclick: () => {
            const picked = boxes
              .map((l) => l.querySelector('input'))
              .filter((i) => i.checked)
              .map((i) => i.value);
            // All ticked is the same as no pick, and keeps new fields visible.
            apply(picked.length === names.length ? [] : picked);
          },
        },
        'Apply',
      ),
    ),
  );
  return details;
}

function toolbar(names, state, go) {
  const toggle = (name, label, title) =>
    h(
      'label',
      { class: 'check', title },
      h('input', {
        type: 'checkbox',
        name,
        checked: state[name],
        onchange: (e) => go({ [name]: e.target.checked, offset: 0 }),
      }),
      label,
    );
  const pageSize = h(
    'select',
    {
      name: 'limit',
      'aria-label': 'Items per page',
      value: String(state.limit),
      onchange: (e) => go({ limit: Number(e.target.value), offset: 0 }),
    },
    PAGE_SIZES.map((n) => h('option', { value: String(n) }, `${n} per page`)),
  );
  return h(
    'div',
    { class: 'toolbar' },
    fieldPicker(names, state, (fields) => go({ fields: fields.join(','), offset: 0 })),
    toggle('clean', 'Clean', 'Skip hidden fields (#…) and empty items'),
    toggle('desc', 'Newest first', 'Reverse the order of the items'),
    pageSize,
  );
}

function downloads(store, state) {
  const links = FORMATS.map((format) =>
    h(
      'a',
      {
        class: 'btn btn-small',
        href: apiUrl(`datasets/${seg(store.id)}/items`, { format, attachment: true, ...itemQuery(state) }),
        download: `${store.name ?? store.id}.${format}`,
        'data-format': format,
      },
      format.toUpperCase(),
    ),
  );
  return h('div', { class: 'downloads' }, h('span', { class: 'muted' }, 'Download all items:'), links);
}

/** Renders the items tab of a dataset into `body`. */
export async function renderItems(body, { store, params }) {
  const state = readState(params);
  const page = await getItems(store.id, { offset: state.offset, limit: state.limit, ...itemQuery(state) });
  const go = (changes) => {
    const next = { ...paramsObject(params), ...changes };
    navigate(['datasets', store.id], { ...next, offset: next.offset || undefined });
  };
  const names = fieldNames(store, page.items, state.fields);
  const open = (item, n) => openDialog({ title: `Item #${n}`, body: jsonBlock(item), wide: true });
  body.append(toolbar(names, state, go), downloads(store, state));
  if (page.total === 0) {
    body.append(notice('info', 'This dataset has no items yet.'));
    return;
  }
  const hrefFor = (offset) =>
    routeHref(['datasets', store.id], { ...paramsObject(params), offset: offset || undefined });
  const pager = () =>
    offsetPager({
      offset: state.offset,
      limit: state.limit,
      total: page.total,
      shown: page.count,
      unit: 'items',
      hrefFor,
      go: (offset) => go({ offset }),
    });
  body.append(
    pager(),
    itemsTable(page.items, visibleColumns(names, page.items, state.fields), rowNumbers(page, state), open),
  );
  if (page.items.length > 20) body.append(pager());
  if (page.items.length === 0)
    body.append(notice('info', 'No items on this page (empty items are skipped).'));
}
