// A storage's settings: rename (or make unnamed), and delete after a confirmation.

import { KINDS, request, seg } from '../api.js';
import { h } from '../dom.js';
import { navigate } from '../router.js';
import { confirmDanger, errorNotice, hasToken, needsTokenNotice, notice } from '../ui.js';

/** The platform's store name rule (also checked by the server). */
const NAME_PATTERN = '[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?';

/** A message to show once, after the page is drawn again (a rename redraws the header too). */
let flash = null;

function renameForm(kindKey, store, status, rerender) {
  const input = h('input', {
    type: 'text',
    name: 'name',
    value: store.name ?? '',
    placeholder: 'unnamed',
    pattern: NAME_PATTERN,
    maxlength: 63,
    class: 'mono',
    'aria-label': 'Name',
  });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'rename' }, 'Save');
  const form = h(
    'form',
    {
      class: 'stack',
      onsubmit: async (event) => {
        event.preventDefault();
        save.disabled = true;
        const name = input.value.trim();
        try {
          await request('PUT', `${KINDS[kindKey].path}/${seg(store.id)}`, {
            body: { name: name === '' ? null : name },
          });
          flash = name ? `Renamed to "${name}".` : 'The name was removed.';
          rerender();
        } catch (err) {
          status.replaceChildren(errorNotice(err));
          save.disabled = false;
        }
      },
    },
    h('label', { class: 'field-label', for: 'store-name' }, 'Name'),
    h('div', { class: 'inline-form' }, Object.assign(input, { id: 'store-name' }), save),
    h(
      'p',
      { class: 'muted small' },
      'Letters, digits and hyphens (not at either end), up to 63 characters. Leave empty to make it unnamed: ',
      'unnamed storages are hidden from the lists unless "Include unnamed" is ticked.',
    ),
  );
  return form;
}

function deleteSection(kindKey, store, status) {
  const kind = KINDS[kindKey];
  const label = store.name ? `"${store.name}"` : store.id;
  const button = h(
    'button',
    { type: 'button', class: 'btn btn-danger', 'data-action': 'delete' },
    `Delete ${kind.one.toLowerCase()}`,
  );
  button.addEventListener('click', async () => {
    const sure = await confirmDanger(
      `Delete ${kind.one.toLowerCase()} ${label}?`,
      `Its folder and all its ${kind.unit} are removed from disk. This cannot be undone.`,
      'Delete',
    );
    if (!sure) return;
    try {
      await request('DELETE', `${kind.path}/${seg(store.id)}`);
      navigate([kindKey]);
    } catch (err) {
      status.replaceChildren(errorNotice(err));
    }
  });
  return h(
    'div',
    { class: 'danger-zone' },
    h('h3', null, 'Delete'),
    h('p', { class: 'muted' }, `Removes the ${kind.one.toLowerCase()} and everything in it.`),
    button,
  );
}

/** Renders the settings tab into `body`. */
export function renderSettings(body, { kindKey, store, rerender }) {
  const status = h('div', { class: 'status' });
  if (!hasToken()) {
    body.append(needsTokenNotice('Renaming or deleting', rerender));
    return;
  }
  if (flash) status.replaceChildren(notice('success', flash));
  flash = null;
  body.append(
    status,
    h('div', { class: 'panel' }, renameForm(kindKey, store, status, rerender)),
    deleteSection(kindKey, store, status),
  );
}
