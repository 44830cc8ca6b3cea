// DOM building and formatting. Everything shown goes in as text nodes or attributes set one by
// one: stored data (item values, keys, names) is never parsed as HTML.

/**
 * Creates an element. `attrs`: `class`, `on<event>` handlers, `value`/`checked` properties, other
 * attributes (skipped when null, undefined or false). Children: nodes, strings (as text), arrays.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const properties = [];
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = String(value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked') properties.push([name, value]);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  appendChildren(el, children);
  // After the children: a <select>'s value needs its options.
  for (const [name, value] of properties) el[name] = value;
  return el;
}

/** Appends nodes and strings (as text) to `el`, flattening arrays and skipping empty values. */
export function appendChildren(el, children) {
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

const numberFormat = new Intl.NumberFormat('en');

/** `1234567` → `1,234,567`; a missing value → an en dash. */
export function formatNumber(n) {
  return typeof n === 'number' && Number.isFinite(n) ? numberFormat.format(n) : '–';
}

/** `1536` → `1.5 KB` (binary units, as file managers show them). */
export function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** An ISO date as `2024-05-01 14:03` in local time, in a <time> with the full value as tooltip. */
export function formatDate(iso) {
  if (!iso) return h('span', { class: 'muted' }, '–');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', null, String(iso));
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, text);
}

/** A string cut to `max` characters with an ellipsis. */
export function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** True for an absolute http(s) URL: the only strings from data ever made into links. */
export function isWebUrl(value) {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false; // not a URL after all: shown as text
  }
}

/** A link that leaves the page: new tab, no opener, no referrer. */
export function externalLink(url, text = url) {
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text);
}
