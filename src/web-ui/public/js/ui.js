// Small shared pieces of the pages: notices, pagers, tabs, dialogs, copy buttons.

import { getToken, setToken } from './api.js';
import { formatNumber, h } from './dom.js';

/** A box with a message; `kind` is info, error or success. */
export function notice(kind, ...children) {
  return h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    ...children,
  );
}

/** An error as a notice, with what to do for the usual cases. */
export function errorNotice(err) {
  const status = err?.status;
  let hint = null;
  if (status === 401) hint = 'This needs the server token: open the URL that "actor-storage serve" printed.';
  if (status === 404) hint = 'It may have been deleted or renamed.';
  return notice('error', h('strong', null, err?.message ?? String(err)), hint ? h('div', null, hint) : null);
}

/** A form to paste the token (for pages opened without `?token=`). */
export function tokenForm(onSaved) {
  const input = h('input', {
    type: 'password',
    name: 'token',
    placeholder: 'token',
    autocomplete: 'off',
    'aria-label': 'Server token',
  });
  return h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (event) => {
        event.preventDefault();
        setToken(input.value.trim());
        onSaved();
      },
    },
    input,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Use token'),
  );
}

/** The notice shown where the token is needed and missing. */
export function needsTokenNotice(what, onSaved) {
  return notice(
    'info',
    h('strong', null, `${what} needs the server's token.`),
    h(
      'div',
      null,
      'Open the "storage browser" URL that ',
      h('code', null, 'actor-storage serve'),
      ' printed (it carries the token), or paste the token (kept for this tab only). ',
      'Storages can still be opened by id without it.',
    ),
    tokenForm(onSaved),
  );
}

/** True when this tab has a token. */
export const hasToken = () => getToken() !== '';

/**
 * Tabs as links. `tabs`: `[{ id, label, href }]`.
 */
export function tabBar(tabs, active) {
  return h(
    'nav',
    { class: 'tabs', role: 'tablist' },
    tabs.map((tab) =>
      h(
        'a',
        {
          href: tab.href,
          role: 'tab',
          class: tab.id === active ? 'tab active' : 'tab',
          'aria-selected': tab.id === active ? 'true' : 'false',
          'data-tab': tab.id,
        },
        tab.label,
      ),
    ),
  );
}

function pagerButton(label, title, href, name) {
  return href
    ? h('a', { class: 'btn', href, title, 'data-page': name }, label)
    : h('span', { class: 'btn disabled', 'aria-disabled': 'true', title, 'data-page': name }, label);
}

/**
 * An offset pager: `From–to of total`, first/previous/next/last and a page number field.
 * `hrefFor(offset)` builds the link of a page; `go(offset)` opens one.
 */
export function offsetPager({ offset, limit, total, shown, unit, hrefFor, go }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.min(pages, Math.floor(offset / limit) + 1);
  const last = (pages - 1) * limit;
  const input = h('input', {
    type: 'number',
    min: 1,
    max: pages,
    value: String(page),
    class: 'page-input',
    'aria-label': 'Page',
  });
  const form = h(
    'form',
    {
      class: 'page-form',
      onsubmit: (event) => {
        event.preventDefault();
        const wanted = Math.min(pages, Math.max(1, Math.floor(Number(input.value) || 1)));
        go((wanted - 1) * limit);
      },
    },
    'Page ',
    input,
    ` of ${formatNumber(pages)}`,
  );
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + shown);
  return h(
    'div',
    { class: 'pager' },
    h(
      'span',
      { class: 'pager-range' },
      `${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(total)} ${unit}`,
    ),
    pages > 1 &&
      h(
        'div',
        { class: 'pager-buttons' },
        pagerButton('«', 'First page', offset > 0 ? hrefFor(0) : null, 'first'),
        pagerButton(
          '‹ Prev',
          'Previous page',
          offset > 0 ? hrefFor(Math.max(0, offset - limit)) : null,
          'prev',
        ),
        form,
        pagerButton('Next ›', 'Next page', offset + limit < total ? hrefFor(offset + limit) : null, 'next'),
        pagerButton('»', 'Last page', offset < last ? hrefFor(last) : null, 'last'),
      ),
  );
}

/** A cursor pager (keys, requests): first / previous / next, no total. */
export function cursorPager({ label, firstHref, prevHref, nextHref }) {
  return h(
    'div',
    { class: 'pager' },
    h('span', { class: 'pager-range' }, label),
    (firstHref || prevHref || nextHref) &&
      h(
        'div',
        { class: 'pager-buttons' },
        pagerButton('«', 'First page', firstHref, 'first'),
        pagerButton('‹ Prev', 'Previous page', prevHref, 'prev'),
        pagerButton('Next ›', 'Next page', nextHref, 'next'),
      ),
  );
}

/** Opens a modal dialog; resolves with the value of the button that closed it ('' for Esc). */
export function openDialog({ title, body, buttons = [{ label: 'Close', value: 'close' }], wide = false }) {
  const dialog = h(
    'dialog',
    { class: wide ? 'dialog dialog-wide' : 'dialog' },
    h(
      'form',
      { method: 'dialog' },
      h('header', { class: 'dialog-header' }, h('h2', null, title)),
      h('div', { class: 'dialog-body' }, body),
      h(
        'footer',
        { class: 'dialog-footer' },
        buttons.map((b) =>
          h('button', { value: b.value, class: `btn ${b.class ?? ''}`, 'data-action': b.value }, b.label),
        ),
      ),
    ),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue);
      dialog.remove();
    });
    dialog.showModal();
  });
}

/** Asks before something that cannot be undone; resolves true when confirmed. */
export async function confirmDanger(title, message, action) {
  const value = await openDialog({
    title,
    body: h('p', null, message),
    buttons: [
      { label: 'Cancel', value: 'cancel' },
      { label: action, value: 'confirm', class: 'btn-danger' },
    ],
  });
  return value === 'confirm';
}

/** A JSON value pretty printed in a <pre>. */
export function jsonBlock(value) {
  return h('pre', { class: 'code json' }, JSON.stringify(value, null, 2));
}

/** A button copying `text` to the clipboard (selecting `target` when the clipboard is refused). */
export function copyButton(text, target) {
  const button = h('button', { type: 'button', class: 'btn btn-small', title: 'Copy to clipboard' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      // no clipboard access (insecure origin, denied): select the text for Ctrl+C instead
      if (target) window.getSelection()?.selectAllChildren(target);
      button.textContent = 'Selected';
    }
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 1500);
  });
  return button;
}

/** A labelled value of a store's header. */
export function fact(label, value) {
  return h(
    'div',
    { class: 'fact' },
    h('span', { class: 'fact-label' }, label),
    h('span', { class: 'fact-value' }, value),
  );
}
